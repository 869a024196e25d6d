using Gateway.Azure.ServiceBus;
using Gateway.Core.Bus;
using Gateway.Core.Http;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Azure.Hosting;

public static class ServiceBusTransportExtensions
{
    /// <summary>
    /// The Service Bus transport: HTTP publish sends to the ingest topic, an ingest receiver appends to the log,
    /// committed events go out on the fan-out topic, and a receiver on this instance's own fan-out subscription
    /// feeds the hub. The clients come from the <paramref name="connection"/> section the way
    /// <c>Microsoft.Extensions.Azure</c> reads it: a connection string as its value, or
    /// <c>fullyQualifiedNamespace</c> (+ <c>credential</c>, <c>clientId</c>) below it.
    /// </summary>
    public static IServiceCollection AddServiceBusTransport(this IServiceCollection services, IConfiguration configuration, IConfigurationSection connection)
    {
        services.AddOptions<ServiceBusTransportOptions>().Bind(configuration.GetSection(ServiceBusTransportOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServiceBusTransportOptions>, ServiceBusTransportOptionsValidator>());
        services.AddAzureClients(clients =>
        {
            clients.AddServiceBusClient(connection);
            clients.AddServiceBusAdministrationClient(connection);
        });

        services.TryAddSingleton<ReceiverStatus>();
        services.TryAddSingleton<IngestOutage>();
        services.TryAddSingleton<FanoutSubscription>();
        services.TryAddSingleton<ServiceBusEventBus>();
        services.TryAddSingleton<IEventBus>(sp => sp.GetRequiredService<ServiceBusEventBus>());
        services.TryAddSingleton<ServiceBusFanout>();
        services.TryAddSingleton<IEventFanout>(sp => sp.GetRequiredService<ServiceBusFanout>());
        services.AddHostedService<ServiceBusIngestService>();
        services.AddHostedService<FanoutReceiverService>();
        services.AddHealthChecks().AddCheck<ServiceBusHealthCheck>("bus", tags: HealthCheckKind.Tags(HealthCheckKind.ServiceBus));
        return services;
    }
}
