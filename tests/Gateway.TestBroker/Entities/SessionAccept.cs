using Amqp.Framing;

namespace Gateway.TestBroker.Entities;

/// <summary>
/// A session receiver's attach waiting for its session: <paramref name="Locked"/> runs (outside the queue's lock) once a
/// session is locked for <paramref name="Consumer"/>, <paramref name="Refused"/> when none can be.
/// </summary>
internal sealed record SessionAccept(IMessageConsumer Consumer, string? RequestedSessionId, Action<string, DateTime> Locked, Action<Error> Refused)
{
    /// <summary>Ends the wait for the next available session (the accept's timeout).</summary>
    public ITimer? Timeout { get; set; }
}
