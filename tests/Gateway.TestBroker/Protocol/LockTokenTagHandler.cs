using Amqp.Handler;
using Gateway.TestBroker.Entities;

namespace Gateway.TestBroker.Protocol;

/// <summary>The client reads a message's lock token from its 16-byte delivery tag; this sets the tag as each delivery is sent.</summary>
internal sealed class LockTokenTagHandler : IHandler
{
    public bool CanHandle(EventId id) => id == EventId.SendDelivery;

    public void Handle(Event protocolEvent)
    {
        if (protocolEvent.Id == EventId.SendDelivery
            && protocolEvent.Context is IDelivery delivery
            && delivery.Message?.MessageAnnotations?[DeliveryMessages.LockToken] is Guid lockToken)
        {
            delivery.Tag = lockToken.ToByteArray();
        }
    }
}
