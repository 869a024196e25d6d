using Gateway.Core.Hosting;
using Gateway.Core.Http;
using Gateway.Hosting.Access;
using Gateway.Hosting.Composition;
using Gateway.Hosting.Telemetry;
using Gateway.Server.OpenApi;

namespace Gateway.Server;

/// <summary>Builds the server host; tests call this too, so they run exactly what users run.</summary>
public static class GatewayServer
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        RequestLogDefault.Apply(builder.Configuration);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.WebHost.ConfigureKestrelLimits(builder.Configuration);
        builder.WebHost.ConfigureKestrelSockets(builder.Configuration);
        builder.Services.AddGateway(builder.Configuration);
        builder.Services.AddRetentionService();
        builder.Services.AddGatewayCors(builder.Configuration);
        builder.Services.AddGatewayOpenApi();
        builder.Services.AddHostedService<OpenListenerWarning>();
        builder.AddGatewayTelemetry();
        configure?.Invoke(builder);

        var app = builder.Build();

        // First, so every later step (limits, logs) sees the client's address rather than the proxy's.
        app.UseGatewayForwardedHeaders();

        // Every error answer is application/problem+json: unhandled exceptions (500, no exception text) and
        // bodiless status codes such as 404 and 405 from routing. The stream routes answer their own errors (a failure
        // before the stream starts is the same 500) and skip both: each open stream would hold their async frames and
        // a feature for its whole life.
        app.UseWhen(context => !StreamRouteMetadata.Matches(context), errors =>
        {
            errors.UseExceptionHandler();
            errors.UseStatusCodePages();
        });

        // Cross-origin pages (Gateway:Cors:Origins) get the policy on every gateway route, preflight included.
        app.UseGatewayCors();
        app.MapGateway();
        app.MapDemoPage();
        app.MapGatewayOpenApi();
        return app;
    }
}
