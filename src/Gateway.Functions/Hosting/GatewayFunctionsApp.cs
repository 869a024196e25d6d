using Gateway.Hosting.Telemetry;
using Microsoft.Azure.Functions.Worker.Builder;

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
        builder.AddGatewayTelemetry();
        return builder;
    }
}
