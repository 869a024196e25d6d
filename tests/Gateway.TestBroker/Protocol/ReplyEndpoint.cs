using Amqp.Listener;

namespace Gateway.TestBroker.Protocol;

/// <summary>The client's receiving side of a request/response node; responses are sent through <see cref="ReplyLinks"/>.</summary>
internal sealed class ReplyEndpoint : LinkEndpoint
{
    public override void OnFlow(FlowContext flowContext)
    {
        // One response per request: the client's credit is never the limit.
    }

    public override void OnDisposition(DispositionContext dispositionContext)
    {
        // Responses need no outcome.
    }
}
