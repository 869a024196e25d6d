using Gateway.Core.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Azure.Hosting;

public static class GatewayTransportExtensions
{
    /// <summary>The configuration key of the Table-storage connection (a connection string, or identity settings below it).</summary>
    public const string EventLogStorageConnection = "EventLogStorage";

    /// <summary>The configuration key of the Service Bus connection (a connection string, or identity settings below it).</summary>
    public const string EventBusConnection = "EventBus";

    /// <summary>
    /// Chooses the adapters from configuration, the same way in every host: nothing configured → the in-memory
    /// log and bus (the embedded default); <c>EventLogStorage</c> → the Table log; <c>EventBus</c> → Service Bus.
    /// </summary>
    public static IServiceCollection AddGatewayTransport(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.HasTableEventLog())
        {
            services.AddTableEventLog(configuration);
        }
        else
        {
            services.AddInMemoryEventLog();
        }

        var eventBus = configuration.GetSection(EventBusConnection);
        if (eventBus.Exists())
        {
            // Without EventLogStorage each instance keeps its own log; the ingest service warns about it at start.
            services.AddServiceBusTransport(configuration, eventBus);
        }
        else
        {
            services.AddInMemoryBus();
        }

        return services;
    }
}
