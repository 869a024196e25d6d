using Amqp;

namespace Gateway.TestBroker.Protocol;

/// <summary>Answers one request of a request/response node (<c>$cbs</c>, <c>entity/$management</c>).</summary>
internal interface IRequestHandler
{
    Message Handle(Message request);
}
