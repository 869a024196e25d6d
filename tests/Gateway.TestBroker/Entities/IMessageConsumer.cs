using Amqp;

namespace Gateway.TestBroker.Entities;

/// <summary>A receiver attached to an entity queue; the queue calls it under its own lock so deliveries keep their order.</summary>
internal interface IMessageConsumer
{
    /// <summary>True for receive-and-delete: the message leaves the queue when sent.</summary>
    bool SettlesOnSend { get; }

    /// <summary>Sends the message on the link; throws when the link is gone.</summary>
    void Send(Message message);

    /// <summary>Uses up the remaining link credit after a drain request found no more messages.</summary>
    void CompleteDrain();
}
