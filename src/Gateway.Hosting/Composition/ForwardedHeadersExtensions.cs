using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Hosting.Composition;

/// <summary>
/// Opt-in trust of a reverse proxy's forwarded headers (<c>Gateway:ForwardedHeaders</c>), so the client address that
/// per-client limits count is the client's. The Functions worker already runs the ForwardedHeaders middleware (its
/// host forwards requests over loopback); these settings configure it there and add it to the server host.
/// </summary>
public static class ForwardedHeadersExtensions
{
    public static bool HasForwardedHeaders(this IConfiguration configuration) =>
        configuration.GetSection(GatewayForwardedHeadersOptions.SectionName).Exists();

    internal static IServiceCollection AddGatewayForwardedHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        if (!configuration.HasForwardedHeaders())
        {
            return services;
        }

        services.AddOptions<GatewayForwardedHeadersOptions>().Bind(configuration.GetSection(GatewayForwardedHeadersOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayForwardedHeadersOptions>, GatewayForwardedHeadersOptionsValidator>());
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<GatewayForwardedHeadersOptions>>((forwarded, gateway) =>
        {
            var g = gateway.Value;
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = g.ForwardLimit;

            // Added to the defaults (loopback), which stay trusted.
            foreach (var proxy in g.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in g.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return services;
    }

    /// <summary>The server host: runs the ForwardedHeaders middleware first when <c>Gateway:ForwardedHeaders</c> is configured.</summary>
    public static WebApplication UseGatewayForwardedHeaders(this WebApplication app)
    {
        if (app.Configuration.HasForwardedHeaders())
        {
            app.UseForwardedHeaders();
        }

        return app;
    }
}
