using System.Net;

namespace Gateway.Testing.Http;

/// <summary>A publish's answer: its status, the event's id when the gateway knows it, and the raw body.</summary>
public sealed record PublishResult(HttpStatusCode Status, string? Id, string Body)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;
}
