using Amqp;

namespace Gateway.TestBroker.Entities;

/// <summary>A receiver attached to an entity queue; the queue calls it under its own lock so deliveries keep their order.</summary>
internal interface IMessageConsumer
{
    /// <summary>True for receive-and-delete: the message leaves the queue when sent.</summary>
    bool SettlesOnSend { get; }

    /// <summary>Deliveries the receiver allows now (its link credit); 0 once the link is gone.</summary>
    int Credit { get; }

    /// <summary>Takes a flow from the receiver, reported as the change of its delivery limit.</summary>
    void ApplyFlow(int limitChange);

    /// <summary>Sends the message on the link, using one credit; throws when the link is gone.</summary>
    void Send(Message message);

    /// <summary>Uses up the remaining link credit after a drain request found no more messages.</summary>
    void CompleteDrain();
}
