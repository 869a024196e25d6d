using Azure.Data.Tables;
using Gateway.Azure.Tables;
using Gateway.Core.Http;
using Gateway.Core.Log;
using Gateway.Core.Options;
using Gateway.Core.Telemetry;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Azure.Hosting;

public static class TableEventLogExtensions
{
    /// <summary>The name of the <see cref="TableServiceClient"/> registration the log uses.</summary>
    public const string ClientName = GatewayConnections.EventLogStorage;

    /// <summary>True when the <c>EventLogStorage</c> connection is configured (as a value or as a section).</summary>
    public static bool HasTableEventLog(this IConfiguration configuration) =>
        configuration.GetSection(GatewayConnections.EventLogStorage).Exists();

    /// <summary>
    /// The Table-storage event log, connected through <c>EventLogStorage</c>: a connection string
    /// (<c>UseDevelopmentStorage=true</c> for Azurite), or <c>EventLogStorage:tableServiceUri</c> with optional
    /// <c>credential=managedidentity</c> and <c>clientId</c> (otherwise <c>DefaultAzureCredential</c>). The table
    /// (<c>Gateway:Tables:TableName</c>) is created at first use. Adds the "log" health check.
    /// </summary>
    public static IServiceCollection AddTableEventLog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TableLogOptions>().Bind(configuration.GetSection(TableLogOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TableLogOptions>, TableLogOptionsValidator>());

        var storage = configuration.GetSection(GatewayConnections.EventLogStorage);
        if (!EventLogStorageConfiguration.IsConfigured(storage))
        {
            throw new InvalidOperationException(
                "EventLogStorage is configured but names no store: set it to a connection string (UseDevelopmentStorage=true for Azurite), "
                + "or set EventLogStorage__tableServiceUri (with EventLogStorage__credential=managedidentity and EventLogStorage__clientId for a user-assigned identity).");
        }

        services.AddAzureClients(clients => clients
            .AddTableServiceClient(EventLogStorageConfiguration.ForClientFactory(storage))
            .WithName(ClientName));

        services.TryAddSingleton(sp => new TableEventLog(
            sp.GetRequiredService<IAzureClientFactory<TableServiceClient>>().CreateClient(ClientName)
                .GetTableClient(sp.GetRequiredService<IOptions<TableLogOptions>>().Value.TableName),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptionsMonitor<RetentionOptions>>(),
            sp.GetRequiredService<IOptions<TableLogOptions>>(),
            sp.GetRequiredService<GatewayMetrics>(),
            sp.GetRequiredService<ILogger<TableEventLog>>()));
        services.TryAddSingleton<IEventLog>(sp => sp.GetRequiredService<TableEventLog>());
        services.AddHealthChecks().AddCheck<TableLogHealthCheck>("log", tags: HealthCheckKind.Tags(HealthCheckKind.TableStorage));
        return services;
    }
}
