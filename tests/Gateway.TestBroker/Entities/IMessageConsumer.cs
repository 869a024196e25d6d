using Amqp;
using Amqp.Framing;

namespace Gateway.TestBroker.Entities;

/// <summary>A receiver attached to an entity queue; the queue calls it under its own lock so deliveries keep their order.</summary>
internal interface IMessageConsumer
{
    /// <summary>True for receive-and-delete: the message leaves the queue when sent.</summary>
    bool SettlesOnSend { get; }

    /// <summary>True for a session receiver (its attach carried the session filter).</summary>
    bool IsSessionReceiver { get; }

    /// <summary>The session this receiver holds, set by the queue when it locked the session for it; null until then.</summary>
    string? SessionId { get; set; }

    /// <summary>Deliveries the receiver allows now (its link credit); 0 once the link is gone.</summary>
    int Credit { get; }

    /// <summary>Takes a flow from the receiver, reported as the change of its delivery limit.</summary>
    void ApplyFlow(int limitChange);

    /// <summary>Sends the message on the link, using one credit; throws when the link is gone.</summary>
    void Send(Message message);

    /// <summary>Uses up the remaining link credit after a drain request found no more messages.</summary>
    void CompleteDrain();

    /// <summary>Offers the receiver nothing more at once, and detaches its link with the error soon (outside the queue's lock).</summary>
    void Detach(Error error);
}
