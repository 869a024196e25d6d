using Gateway.Core.Access;
using Gateway.Core.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Gateway.Hosting.Access;

public static class GatewayCorsExtensions
{
    /// <summary>The CORS policy the gateway's route group carries.</summary>
    public const string PolicyName = "gateway";

    /// <summary>
    /// ASP.NET Core's CORS for the configured <c>Gateway:Cors:Origins</c>: GET and POST, the <c>Last-Event-ID</c>,
    /// <c>Authorization</c> and <c>Content-Type</c> request headers, preflight answered, and credentials (cookies)
    /// allowed when tokens may come in a cookie. No origins → no cross-origin access.
    /// </summary>
    public static IServiceCollection AddGatewayCors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayCorsOptions>().Bind(configuration.GetSection(GatewayCorsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayCorsOptions>, GatewayCorsOptionsValidator>());
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<GatewayCorsOptions>, IOptions<AuthOptions>>((cors, origins, auth) =>
            cors.AddPolicy(PolicyName, policy =>
            {
                policy.WithOrigins([.. origins.Value.Origins])
                    .WithMethods(HttpMethods.Get, HttpMethods.Post)
                    .WithHeaders("Last-Event-ID", HeaderNames.Authorization, HeaderNames.ContentType)
                    .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
                if (auth.Value.CookieTokens)
                {
                    // EventSource with withCredentials sends the cookie; the browser drops the answer without this.
                    policy.AllowCredentials();
                }
            }));
        return services;
    }

    /// <summary>
    /// The gateway's CORS policy on its routes (under <c>/api</c>, preflight included) for requests that carry an
    /// <c>Origin</c>; the others skip the CORS middleware, which has nothing to do for them (no <c>Origin</c>, no CORS
    /// answer) but would still create the request's DI scope and items, which an open stream holds for its life. A
    /// browser sends <c>Origin</c> with every cross-origin request; a same-origin GET (an EventSource on the gateway's
    /// own page) and non-browser clients send none.
    /// </summary>
    public static IApplicationBuilder UseGatewayCors(this IApplicationBuilder app) =>
        app.UseWhen(
            context => context.Request.Headers.ContainsKey(HeaderNames.Origin) && context.Request.Path.StartsWithSegments(GatewayRouteBuilderExtensions.RoutePrefix),
            cors => cors.UseCors(PolicyName));
}
