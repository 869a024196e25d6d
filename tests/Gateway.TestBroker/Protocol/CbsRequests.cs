using Amqp;
using Amqp.Framing;

namespace Gateway.TestBroker.Protocol;

/// <summary>Claims-based security on <c>$cbs</c>: every put-token is accepted (status-code 202), as the emulator does.</summary>
internal sealed class CbsRequests : IRequestHandler
{
    public Message Handle(Message request) => new()
    {
        ApplicationProperties = new ApplicationProperties
        {
            ["status-code"] = 202,
            ["status-description"] = "Accepted",
        },
        BodySection = new AmqpValue { Value = null },
    };
}
