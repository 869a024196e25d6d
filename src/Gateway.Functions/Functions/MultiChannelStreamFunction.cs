using Gateway.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions.Functions;

/// <summary><c>GET /api/stream?channel=a&amp;channel=b</c>: one SSE stream over several channels, written straight to the response.</summary>
public sealed class MultiChannelStreamFunction(MultiChannelStreamEndpoint endpoint)
{
    [Function("MultiChannelStream")]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "stream")] HttpRequest request)
    {
        await endpoint.StreamAsync(request.HttpContext);

        // The response is already written; an empty result tells the worker there is nothing more to send.
        return Results.Empty;
    }
}
