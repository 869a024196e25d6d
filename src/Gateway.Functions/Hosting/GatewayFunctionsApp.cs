using Gateway.Hosting.Telemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;

namespace Gateway.Functions.Hosting;

/// <summary>Builds the worker exactly as <c>Program</c> runs it; tests build it too, so they check what users run.</summary>
public static class GatewayFunctionsApp
{
    /// <param name="args">The worker's command line, as the Functions host passes it.</param>
    /// <param name="appDirectory">The folder holding the app's host.json (the worker's own folder when deployed).</param>
    public static FunctionsApplicationBuilder CreateBuilder(string[] args, string appDirectory)
    {
        var builder = FunctionsApplication.CreateBuilder(args);

        // ASP.NET Core integration: functions write to the real HttpResponse, so SSE frames reach the client as they are flushed.
        builder.ConfigureFunctionsWebApplication();
        builder.Services.AddGatewayFunctions(builder.Configuration, appDirectory);

        // The same metrics, traces and logs as the server host; Azure Monitor when APPLICATIONINSIGHTS_CONNECTION_STRING is set.
        var telemetry = builder.AddGatewayTelemetry();
        if (GatewayTelemetryExtensions.ExportsTraces(builder))
        {
            // The worker's spans (the gateway's among them) join the host's invocation span, and the host leaves to the
            // worker what it exports itself; host.json's "telemetryMode": "OpenTelemetry" is the host's half of this.
            telemetry.UseFunctionsWorkerDefaults();
        }

        return builder;
    }
}
