using Gateway.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions.Functions;

/// <summary><c>POST /api/channels/{channel}/events?event=NAME</c>: body = data; needs a function key.</summary>
public sealed class PublishFunction(GatewayEndpoints endpoints)
{
    [Function("Publish")]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "channels/{channel}/events")] HttpRequest request,
        string channel)
    {
        await endpoints.PublishAsync(request.HttpContext, channel);
        return Results.Empty;
    }
}
