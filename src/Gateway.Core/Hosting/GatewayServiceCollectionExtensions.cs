using Gateway.Core.Access;
using Gateway.Core.Bus;
using Gateway.Core.Events;
using Gateway.Core.Http;
using Gateway.Core.Hub;
using Gateway.Core.Limits;
using Gateway.Core.Log;
using Gateway.Core.Options;
using Gateway.Core.Streaming;
using Gateway.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gateway.Core.Hosting;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// The engine both hosts share: options (validated at start), the hub and its tick, stream sessions,
    /// ingest and the endpoints. Add a log and a bus with <see cref="AddInMemoryTransport"/> or the Azure adapters.
    /// </summary>
    public static IServiceCollection AddGatewayCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StreamOptions>().Bind(configuration.GetSection(StreamOptions.SectionName)).ValidateOnStart();
        services.AddOptions<EventOptions>().Bind(configuration.GetSection(EventOptions.SectionName)).ValidateOnStart();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.SectionName)).ValidateOnStart();
        services.AddOptions<InMemoryOptions>().Bind(configuration.GetSection(InMemoryOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StreamOptions>, StreamOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventOptions>, EventOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InMemoryOptions>, InMemoryOptionsValidator>());
        services.AddOptions<LimitOptions>().Bind(configuration.GetSection(LimitOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LimitOptions>, LimitOptionsValidator>());
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection(HealthOptions.SectionName));
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        services.AddOptions<HostAccessOptions>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton(sp => new EventRules(sp.GetRequiredService<IOptions<EventOptions>>().Value));
        services.TryAddSingleton<EventHub>();
        services.TryAddSingleton<LogHeadWatch>();
        services.TryAddSingleton<StreamSession>();
        services.TryAddSingleton<EventIngestor>();
        services.TryAddSingleton<StreamLimiter>();
        services.TryAddSingleton<PublishLimiter>();
        services.TryAddSingleton<ChannelAccess>();
        services.TryAddSingleton<GatewayEndpoints>();
        services.TryAddSingleton<MultiChannelStreamEndpoint>();
        services.TryAddSingleton<ChannelInfoEndpoint>();
        services.AddHostedService<HubTickService>();
        services.AddHealthChecks();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDetailTexts.Fill);
        return services;
    }

    /// <summary>The embedded default: in-memory log and bus, committed events fanned out to this process only.</summary>
    public static IServiceCollection AddInMemoryTransport(this IServiceCollection services) =>
        services.AddInMemoryEventLog().AddInMemoryBus();

    /// <summary>The in-memory event log (embedded mode; its data dies with the process).</summary>
    public static IServiceCollection AddInMemoryEventLog(this IServiceCollection services)
    {
        services.TryAddSingleton<InMemoryEventLog>();
        services.TryAddSingleton<IEventLog>(sp => sp.GetRequiredService<InMemoryEventLog>());
        services.AddHealthChecks().AddCheck("log", () => HealthCheckResult.Healthy("in-memory"), HealthCheckKind.Tags(HealthCheckKind.InMemory));
        return services;
    }

    /// <summary>The in-memory bus, drained into the log by a background service, with fan-out to this process's hub.</summary>
    public static IServiceCollection AddInMemoryBus(this IServiceCollection services)
    {
        services.TryAddSingleton<InMemoryEventBus>();
        services.TryAddSingleton<IEventBus>(sp => sp.GetRequiredService<InMemoryEventBus>());
        services.TryAddSingleton<IEventFanout, LocalFanout>();
        services.AddHostedService<InMemoryIngestService>();
        services.AddHealthChecks().AddCheck("bus", () => HealthCheckResult.Healthy("in-memory"), HealthCheckKind.Tags(HealthCheckKind.InMemory));
        return services;
    }

    /// <summary>Applies the log's retention policy every <see cref="RetentionOptions.Interval"/> (hosts without a timer trigger).</summary>
    public static IServiceCollection AddRetentionService(this IServiceCollection services)
    {
        services.AddHostedService<RetentionService>();
        return services;
    }
}
