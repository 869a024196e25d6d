using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;

namespace Gateway.Azure.Telemetry;

/// <summary>Export to Azure Monitor (Application Insights), turned on by <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>.</summary>
public static class AzureMonitorExport
{
    /// <summary>The setting that turns on export to Azure Monitor.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[ConnectionStringSetting]);

    /// <summary>
    /// Sends metrics, traces and logs to Azure Monitor, authenticated with a managed identity when
    /// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> says so.
    /// </summary>
    public static IOpenTelemetryBuilder UseGatewayAzureMonitor(this IOpenTelemetryBuilder telemetry, IConfiguration configuration)
    {
        var connectionString = configuration[ConnectionStringSetting];
        var credential = ApplicationInsightsAuthentication.CredentialFrom(configuration[ApplicationInsightsAuthentication.SettingName]);
        return telemetry.UseAzureMonitorExporter(o =>
        {
            o.ConnectionString = connectionString;
            o.Credential = credential;
        });
    }
}
