using System.Diagnostics.CodeAnalysis;
using Gateway.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions.Functions;

/// <summary>
/// Any other path below <c>/api/channels/</c> (most often a channel name with a <c>/</c> in it): the same
/// problem+json the server host answers, instead of the platform's bare 404. Routes with literal segments
/// (stream, events) take precedence over this catch-all.
/// </summary>
public sealed class NotAChannelRouteFunction
{
    [Function("NotAChannelRoute")]
    [SuppressMessage("Performance", "CA1822", Justification = "The worker creates function classes and calls their instance methods, like the other functions.")]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "channels/{*rest}")] HttpRequest request,
        string? rest)
    {
        await GatewayEndpoints.NotAChannelRouteAsync(request.HttpContext, rest);
        return Results.Empty;
    }
}
