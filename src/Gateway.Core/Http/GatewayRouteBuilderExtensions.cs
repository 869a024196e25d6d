using System.ComponentModel;
using Gateway.Core.Http.ApiDescription;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Core.Http;

public static class GatewayRouteBuilderExtensions
{
    /// <summary>The prefix of every gateway route; the Functions host adds the same one (<c>routePrefix</c> in host.json).</summary>
    public const string RoutePrefix = "/api";

    /// <summary>
    /// Maps the gateway's HTTP surface under <c>/api</c> — the same routes the Functions app exposes — and returns
    /// the route group, so a host attaches its policies (authorisation, CORS, rate limits) once for all of them.
    /// </summary>
    public static RouteGroupBuilder MapGateway(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(RoutePrefix);

        // The handlers are singletons, taken from the root provider: a handler parameter would be resolved from the
        // request's services, which creates the request's DI scope, and an open stream would hold it for its life. A
        // handler of the context alone is typed as a Func, so it is still a route handler (a RequestDelegate is not).
        var services = endpoints.ServiceProvider;

        // Each route carries its API description (names, parameters, responses) as endpoint metadata: see GatewayRouteDocumentation.
        api.MapGet("/channels/{channel}/stream", (HttpContext context, [Description(GatewayRouteDocumentation.ChannelDescription)] string channel) => services.GetRequiredService<GatewayEndpoints>().StreamAsync(context, channel))
            .WithMetadata(StreamRouteMetadata.Instance)
            .DescribeStream();
        api.MapGet("/stream", (Func<HttpContext, Task>)(context => services.GetRequiredService<MultiChannelStreamEndpoint>().StreamAsync(context)))
            .WithMetadata(StreamRouteMetadata.Instance)
            .DescribeMultiChannelStream();
        api.MapGet("/channels/{channel}", (HttpContext context, [Description(GatewayRouteDocumentation.ChannelDescription)] string channel) => services.GetRequiredService<ChannelInfoEndpoint>().InfoAsync(context, channel))
            .DescribeChannelInfo();
        api.MapPost("/channels/{channel}/events", (HttpContext context, [Description(GatewayRouteDocumentation.ChannelDescription)] string channel) => services.GetRequiredService<GatewayEndpoints>().PublishAsync(context, channel))
            .DescribePublish();
        api.MapGet("/health", (Func<HttpContext, Task>)(context => services.GetRequiredService<GatewayEndpoints>().HealthAsync(context)))
            .DescribeHealth();

        // A channel name with '/' in it matches neither route above: say why instead of a bare 404. Not an API of its own.
        api.MapMethods("/channels/{**rest}", [HttpMethods.Get, HttpMethods.Post], (HttpContext context, string rest) => GatewayEndpoints.NotAChannelRouteAsync(context, rest))
            .ExcludeFromDescription();
        return api;
    }
}
