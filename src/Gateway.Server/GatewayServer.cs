using Gateway.Azure.Hosting;
using Gateway.Azure.Telemetry;
using Gateway.Core.Hosting;

namespace Gateway.Server;

/// <summary>Builds the server host; tests call this too, so they run exactly what users run.</summary>
public static class GatewayServer
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Services.AddGatewayCore(builder.Configuration);
        builder.Services.AddGatewayTransport(builder.Configuration);
        builder.Services.AddRetentionService();
        builder.AddGatewayTelemetry();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapGatewayEndpoints();
        app.MapDemoPage();
        return app;
    }
}
