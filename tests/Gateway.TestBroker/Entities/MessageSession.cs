namespace Gateway.TestBroker.Entities;

/// <summary>A session of a session-enabled entity: who holds its lock (a session receiver) until when, and its state.</summary>
internal sealed class MessageSession(string id)
{
    public string Id { get; } = id;

    /// <summary>The receiver holding the session lock; null while the session is free.</summary>
    public IMessageConsumer? Holder { get; set; }

    public DateTime LockedUntilUtc { get; set; }

    /// <summary>The session state a receiver set (kept while the session is free, as in Service Bus).</summary>
    public byte[]? State { get; set; }
}
