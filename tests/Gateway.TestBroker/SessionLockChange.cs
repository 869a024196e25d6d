namespace Gateway.TestBroker;

/// <summary>
/// What happened to a session's lock: the entity (e.g. <c>events/Subscriptions/gateway</c>), the session, the change,
/// and the lock's expiry after it (when the change left it locked).
/// </summary>
public readonly record struct SessionLockChange(string Entity, string SessionId, SessionLockChangeKind Kind, DateTime? LockedUntilUtc);

/// <summary>How a session's lock changed.</summary>
public enum SessionLockChangeKind
{
    /// <summary>A receiver accepted the session.</summary>
    Locked,

    /// <summary>Its holder renewed the lock.</summary>
    Renewed,

    /// <summary>Its holder closed its link: what it had locked waits again, not counted as failed.</summary>
    Released,

    /// <summary>The lock lapsed, or a delivery was lost: what was locked counts a failed delivery, the holder is detached.</summary>
    Lost,
}
