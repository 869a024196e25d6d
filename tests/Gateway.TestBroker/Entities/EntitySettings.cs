namespace Gateway.TestBroker.Entities;

/// <summary>What every entity queue needs from the broker options.</summary>
internal sealed record EntitySettings(
    TimeSpan LockDuration,
    int MaxDeliveryCount,
    TimeProvider TimeProvider,
    Action<LockRenewal>? OnLockRenewed = null,
    TimeSpan? DuplicateDetectionWindow = null,
    Func<DeliveryAttempt, bool>? LoseDelivery = null,
    TimeSpan? SessionAcceptWait = null,
    Action<SessionLockChange>? OnSessionLock = null);
