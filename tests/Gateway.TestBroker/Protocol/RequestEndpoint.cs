using Amqp;
using Amqp.Framing;
using Amqp.Listener;

namespace Gateway.TestBroker.Protocol;

/// <summary>The sending side of a request/response node: each request is answered on the link named by its reply-to.</summary>
internal sealed class RequestEndpoint(IRequestHandler handler, ReplyLinks replies) : LinkEndpoint
{
    public override void OnMessage(MessageContext messageContext)
    {
        var request = messageContext.Message;
        var response = handler.Handle(request);
        response.Properties ??= new Properties();
        response.Properties.CorrelationId = request.Properties?.MessageId;
        if (replies.TrySend(request.Properties?.ReplyTo, response))
        {
            messageContext.Complete();
        }
        else
        {
            messageContext.Complete(new Error(ErrorCode.NotFound) { Description = "No reply link is attached for the request's reply-to." });
        }
    }

    public override void OnFlow(FlowContext flowContext)
    {
        // Requests flow on the broker's credit; the client's flows need no answer.
    }

    public override void OnDisposition(DispositionContext dispositionContext)
    {
        // Requests are settled when answered.
    }
}
