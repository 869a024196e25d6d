namespace Gateway.TestBroker.Entities;

/// <summary>A peek-lock held on a message, until a time that renewals move on.</summary>
internal sealed class MessageLock(QueuedMessage message, DateTime lockedUntilUtc)
{
    public QueuedMessage Message { get; } = message;

    public DateTime LockedUntilUtc { get; set; } = lockedUntilUtc;
}
