using Amqp.Listener;
using Gateway.TestBroker.Entities;

namespace Gateway.TestBroker.Protocol;

/// <summary>
/// A producer's link to a topic: every message (or batch) is published to the topic's subscriptions, then accepted.
/// <paramref name="onSending"/> sees each arrival first.
/// </summary>
internal sealed class IngressEndpoint(BrokerTopic topic, Action<string>? onSending) : LinkEndpoint
{
    public override void OnMessage(MessageContext messageContext)
    {
        onSending?.Invoke(topic.Name);
        foreach (var message in BatchedMessages.Unpack(messageContext.Message))
        {
            topic.Publish(message);
        }

        messageContext.Complete();
    }

    public override void OnFlow(FlowContext flowContext)
    {
        // A producer's flow carries nothing the broker needs.
    }

    public override void OnDisposition(DispositionContext dispositionContext)
    {
        // The broker settles what it receives at once; nothing to do on the producer's dispositions.
    }
}
