using Gateway.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions.Functions;

/// <summary><c>GET /api/channels/{channel}/stream</c>: the SSE stream, written straight to the response.</summary>
public sealed class StreamFunction(GatewayEndpoints endpoints)
{
    [Function("Stream")]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "channels/{channel}/stream")] HttpRequest request,
        string channel)
    {
        await endpoints.StreamAsync(request.HttpContext, channel);

        // The response is already written; an empty result tells the worker there is nothing more to send.
        return Results.Empty;
    }
}
