using Gateway.Azure.Hosting;
using Gateway.Core.Hosting;
using Gateway.Hosting.Access;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Hosting.Composition;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// The gateway, wired the same way in every host: the engine, and the log and bus chosen from configuration.
    /// Nothing configured → the in-memory log and bus (the embedded default); <c>EventLogStorage</c> → the Table
    /// log; <c>EventBus</c> → Service Bus ingest and fan-out. The host adds what is its own: routes
    /// (<c>MapGateway</c>) or functions, retention scheduling, telemetry. With <c>Gateway:Auth</c>, JwtBearer validates
    /// tokens for both hosts.
    /// </summary>
    public static IServiceCollection AddGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddGatewayCore(configuration);
        services.AddGatewayForwardedHeaders(configuration);
        services.AddGatewayAuthentication(configuration);

        var sharedLog = configuration.HasTableEventLog();
        if (sharedLog)
        {
            services.AddTableEventLog(configuration);
        }
        else
        {
            services.AddInMemoryEventLog();
        }

        var eventBus = configuration.GetSection(GatewayConnections.EventBus);
        if (eventBus.Exists())
        {
            services.AddServiceBusTransport(configuration, eventBus);
            if (!sharedLog)
            {
                // Each instance would keep its own log: ids from one are meaningless on another.
                services.AddHostedService<InstanceLocalLogWarning>();
            }
        }
        else
        {
            services.AddInMemoryBus();
        }

        return services;
    }
}
