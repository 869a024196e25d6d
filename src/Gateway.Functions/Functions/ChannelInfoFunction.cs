using Gateway.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions.Functions;

/// <summary><c>GET /api/channels/{channel}</c>: the channel's head and oldest retained ids and its streams on this instance.</summary>
public sealed class ChannelInfoFunction(ChannelInfoEndpoint endpoint)
{
    [Function("ChannelInfo")]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "channels/{channel}")] HttpRequest request,
        string channel)
    {
        await endpoint.InfoAsync(request.HttpContext, channel);
        return Results.Empty;
    }
}
