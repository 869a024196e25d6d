using Gateway.Azure.Telemetry;
using Gateway.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gateway.Hosting.Telemetry;

public static class GatewayTelemetryExtensions
{
    public const string ServiceName = "sse-gateway";

    // Meters .NET itself publishes (no instrumentation package needed on .NET 9+): request and connection counts
    // and durations from ASP.NET Core and Kestrel — an open SSE stream is one long active request and connection —
    // and the runtime's GC, thread pool and memory figures.
    private static readonly string[] PlatformMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime"];

    /// <summary>
    /// OpenTelemetry for the gateway, in the host's environment: console export in Development, Azure Monitor
    /// when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set.
    /// </summary>
    public static IOpenTelemetryBuilder AddGatewayTelemetry(this IHostApplicationBuilder builder) =>
        builder.Services.AddGatewayTelemetry(builder.Configuration, exportToConsole: ExportsToConsole(builder));

    /// <summary>True when <see cref="AddGatewayTelemetry(IHostApplicationBuilder)"/> exports traces in this host's environment.</summary>
    public static bool ExportsTraces(IHostApplicationBuilder builder) =>
        ExportsToConsole(builder) || AzureMonitorExport.IsConfigured(builder.Configuration);

    private static bool ExportsToConsole(IHostApplicationBuilder builder) => builder.Environment.IsDevelopment();

    /// <summary>
    /// Metrics (the <see cref="GatewayMetrics"/> meter, ASP.NET Core, Kestrel, runtime), and — when there is an
    /// exporter — traces (one trace per event: the gateway's spans, the Azure SDKs', and incoming requests) and logs (with their scopes), exported
    /// to Azure Monitor when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (authenticated with a managed
    /// identity when <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> says so), and to the console when
    /// <paramref name="exportToConsole"/>. Log scopes are captured only when a logger shows them (<see cref="LogScopeCapture"/>).
    /// Returns the builder so a caller can add its own exporter.
    /// </summary>
    public static IOpenTelemetryBuilder AddGatewayTelemetry(this IServiceCollection services, IConfiguration configuration, bool exportToConsole = false)
    {
        var toAzureMonitor = AzureMonitorExport.IsConfigured(configuration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<LoggerFilterOptions>, LogScopeCapture>(
            sp => ActivatorUtilities.CreateInstance<LogScopeCapture>(sp, configuration)));
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics.AddMeter(GatewayMetrics.MeterName).AddMeter(PlatformMeters));

        if (!exportToConsole && !toAzureMonitor)
        {
            // Nowhere to send spans: do not create them. A stream's request span lives as long as the stream, so
            // tracing costs memory per open stream; metrics stay registered for a caller's own exporter.
            return telemetry;
        }

        EnableAzureSdkActivities();
        telemetry
            .WithTracing(tracing => tracing
                .AddGatewaySources()
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/api/health")))
            .WithLogging(logging => { }, options => options.IncludeScopes = true);

        if (exportToConsole)
        {
            telemetry
                .WithMetrics(metrics => metrics.AddConsoleExporter())
                .WithTracing(tracing => tracing.AddConsoleExporter());
        }

        if (toAzureMonitor)
        {
            telemetry.UseGatewayAzureMonitor(configuration);
        }

        return telemetry;
    }

    /// <summary>
    /// The spans of one event's journey: the gateway's own (<see cref="GatewayTracing.SourceName"/>) and the Azure SDKs'
    /// (<see cref="GatewayTracing.AzureSdkSources"/>: the Service Bus send and receive, the Table calls).
    /// Add it before any exporter: it also drops the SDK's empty receive spans (<see cref="EmptyReceiveFilter"/>).
    /// </summary>
    public static TracerProviderBuilder AddGatewaySources(this TracerProviderBuilder tracing) =>
        tracing.AddSource(GatewayTracing.SourceName, GatewayTracing.AzureSdkSources).AddProcessor(new EmptyReceiveFilter());

    /// <summary>
    /// Makes the Azure SDKs emit spans through <c>ActivitySource</c> (<see cref="GatewayTracing.AzureSdkActivitySwitch"/>),
    /// unless the environment decides (<c>AZURE_EXPERIMENTAL_ENABLE_ACTIVITY_SOURCE</c>) or the switch is already set.
    /// Azure.Core reads it once, when the process makes its first Azure client: call this before, as host building does.
    /// Without a listener the SDKs still make no span, so this costs nothing untraced.
    /// </summary>
    public static void EnableAzureSdkActivities()
    {
        if (!AppContext.TryGetSwitch(GatewayTracing.AzureSdkActivitySwitch, out _)
            && Environment.GetEnvironmentVariable("AZURE_EXPERIMENTAL_ENABLE_ACTIVITY_SOURCE") is null)
        {
            AppContext.SetSwitch(GatewayTracing.AzureSdkActivitySwitch, true);
        }
    }
}
