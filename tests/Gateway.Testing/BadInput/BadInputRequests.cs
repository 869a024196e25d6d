using System.Net;

namespace Gateway.Testing.BadInput;

/// <summary>Sends a corpus case to a host over a raw socket, bounded by <see cref="Waits.Request"/>.</summary>
public static class BadInputRequests
{
    public static Task<RawHttpResponse> SendAsync(this HttpBadInputCase @case, IPEndPoint server)
    {
        var (head, body) = @case.Build();
        return RawHttpExchange.SendAsync(server, head, body, @case.Stall, Waits.Request);
    }
}
