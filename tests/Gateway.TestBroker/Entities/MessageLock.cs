namespace Gateway.TestBroker.Entities;

/// <summary>A peek-lock held on a message: until when, and by which receiver (null when taken over management).</summary>
internal sealed class MessageLock(QueuedMessage message, DateTime lockedUntilUtc, IMessageConsumer? holder)
{
    public QueuedMessage Message { get; } = message;

    public DateTime LockedUntilUtc { get; set; } = lockedUntilUtc;

    public IMessageConsumer? Holder { get; } = holder;
}
