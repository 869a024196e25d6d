namespace Gateway.TestBroker;

/// <summary>Settings of a <see cref="TestServiceBusBroker"/>. Defaults follow Service Bus where it matters to tests.</summary>
public sealed class TestServiceBusBrokerOptions
{
    /// <summary>How long a peek-locked message stays locked before it is redelivered.</summary>
    public TimeSpan LockDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deliveries after which a message is dead-lettered with reason <c>MaxDeliveryCountExceeded</c>.</summary>
    public int MaxDeliveryCount { get; init; } = 10;

    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Largest message the broker accepts; announced on every attach (the client refuses to send without it).</summary>
    public ulong MaxMessageSize { get; init; } = 1024 * 1024;

    /// <summary>
    /// Called with the topic's name when a producer's message (or batch) arrives, before the broker stores and
    /// accepts it: the producer's send cannot complete until this returns. Lets a test act at a known point of a
    /// producer's work, e.g. kill a process while it waits for that send.
    /// </summary>
    public Action<string>? OnSending { get; init; }

    /// <summary>
    /// Called after the broker extended a message's lock (a client's renew-lock request, one call per message; a session
    /// lock renewal reports each message locked in the session), outside
    /// the broker's locks. Lets a test wait for renewals instead of for time, e.g. until a batch's locks were kept
    /// alive past a renewal budget.
    /// </summary>
    public Action<LockRenewal>? OnLockRenewed { get; init; }

    /// <summary>
    /// Called when a session's lock is taken, renewed, released or lost, outside the broker's locks (a loss or a
    /// release on the thread pool). Lets a test see that a held session kept its lock, e.g. across a long outage.
    /// </summary>
    public Action<SessionLockChange>? OnSessionLock { get; init; }

    /// <summary>
    /// Duplicate detection on every topic, as the gateway's infra sets on <c>events</c>: a message whose MessageId the
    /// topic saw within this window is accepted and dropped. Null (the default): off, every message is kept.
    /// </summary>
    public TimeSpan? DuplicateDetectionWindow { get; init; }

    /// <summary>
    /// Asked before each delivery to a receiver (under the broker's lock: keep it short); true loses that delivery, as a
    /// dying connection would. Outside sessions the message is locked but never arrives: it comes back when its lock
    /// lapses, behind whatever was delivered meanwhile (how Service Bus reorders without sessions). In a session the
    /// broker keeps the session's order instead: the session's link is detached (session lock lost) and the session is
    /// unlocked, so its messages come back from the oldest, to whoever accepts the session next.
    /// </summary>
    public Func<DeliveryAttempt, bool>? LoseDelivery { get; init; }

    /// <summary>
    /// How long an accept of the next available session waits for one before it is refused with
    /// <c>com.microsoft:timeout</c> (the client's <c>ServiceTimeout</c>). Service Bus waits longer; tests rarely want to.
    /// </summary>
    public TimeSpan SessionAcceptWait { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Clock for enqueue times and lock expiry.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        if (LockDuration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LockDuration), LockDuration, "The lock duration must be positive.");
        }

        if (MaxDeliveryCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDeliveryCount), MaxDeliveryCount, "The max delivery count must be at least 1.");
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "The port must be 0 (free port) or a TCP port.");
        }

        if (DuplicateDetectionWindow is { } window && window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DuplicateDetectionWindow), window, "The duplicate detection window must be positive (or null: off).");
        }

        if (SessionAcceptWait <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SessionAcceptWait), SessionAcceptWait, "The session accept wait must be positive.");
        }

        if (MaxMessageSize < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMessageSize), MaxMessageSize, "The max message size must be at least 1 KiB.");
        }
    }
}
