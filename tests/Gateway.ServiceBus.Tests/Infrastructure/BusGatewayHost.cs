using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Core.Log;
using Gateway.Server;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.ServiceBus.Tests.Infrastructure;

/// <summary>
/// The real server host (<see cref="GatewayServer.Build"/>) in Service Bus mode: <c>EventBus</c> points at the
/// test broker, Kestrel listens on 127.0.0.1 and a free port. Start returns once the "bus" health check says
/// both receivers talk to the broker, so a test never races the host's start-up.
/// </summary>
public sealed class BusGatewayHost : IAsyncDisposable
{
    private BusGatewayHost(WebApplication app, Uri baseAddress)
    {
        App = app;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = Waits.Request };
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public IEventLog Log => App.Services.GetRequiredService<IEventLog>();

    /// <summary>This host's in-memory log, to share with another instance.</summary>
    public InMemoryEventLog InMemoryLog => App.Services.GetRequiredService<InMemoryEventLog>();

    /// <param name="connectionString">The broker's connection string.</param>
    /// <param name="sharedLog">A log shared with other instances (stands in for the Table log), or null for the host's own.</param>
    /// <param name="configure">Extra service registrations, applied after the gateway's own (last one wins).</param>
    /// <param name="settings">Configuration keys, e.g. <c>Gateway:ServiceBus:InstanceId</c>.</param>
    public static async Task<BusGatewayHost> StartAsync(
        string connectionString,
        InMemoryEventLog? sharedLog = null,
        Action<IServiceCollection>? configure = null,
        params (string Key, string Value)[] settings)
    {
        var args = new List<string>
        {
            "--urls", "http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Gateway.Core.Bus.EventIngestor=Error",
            "--Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks=Error",
            // Every test runs the in-memory log (shared where it needs two instances): its warning is expected here.
            "--Logging:LogLevel:Gateway.Azure.ServiceBus.ServiceBusIngestService=Error",
            $"--EventBus={connectionString}",
            "--Gateway:ServiceBus:ReceiveWaitTime=00:00:00.200",
        };
        args.AddRange(settings.Select(s => $"--{s.Key}={s.Value}"));

        var app = GatewayServer.Build([.. args], builder =>
        {
            if (sharedLog is not null)
            {
                // IEventLog resolves to the InMemoryEventLog registration: make that the shared instance.
                builder.Services.AddSingleton(sharedLog);
            }

            configure?.Invoke(builder.Services);
        });

        using var startTimeout = new CancellationTokenSource(Waits.Startup);
        await app.StartAsync(startTimeout.Token);
        var host = new BusGatewayHost(app, new Uri(app.Urls.Single()));
        try
        {
            await host.WaitUntilBusHealthyAsync();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>Publishes over HTTP (which sends to the ingest topic) and expects 202 Accepted.</summary>
    public async Task PublishAsync(string channel, string data, string? eventName = null)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(data));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        var path = $"/api/channels/{channel}/events" + (eventName is null ? "" : $"?event={Uri.EscapeDataString(eventName)}");
        using var response = await Client.PostAsync(path, content);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"Publish to '{channel}' answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public Task<SseStream> OpenStreamAsync(string channel, string? lastEventId = null) =>
        SseStream.OpenAsync(Client, $"/api/channels/{channel}/stream", lastEventId);

    /// <summary>The "bus" entry of <c>GET /api/health</c>.</summary>
    public async Task<(string Status, string? Description)> BusHealthAsync()
    {
        using var response = await Client.GetAsync("/api/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var bus = body.RootElement.GetProperty("checks").GetProperty("bus");
        return (bus.GetProperty("status").GetString()!, bus.TryGetProperty("description", out var d) ? d.GetString() : null);
    }

    /// <summary>Stops the host; <paramref name="timeout"/> bounds how long in-flight work may finish.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? Waits.Shutdown);
        await App.StopAsync(cancel.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync();
        await App.DisposeAsync();
    }

    private async Task WaitUntilBusHealthyAsync()
    {
        var deadline = DateTime.UtcNow + Waits.Startup;
        var last = ("none", (string?)null);
        while (DateTime.UtcNow < deadline)
        {
            last = await BusHealthAsync();
            if (last.Item1 == "Healthy")
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The bus never became healthy: {last.Item1} ({last.Item2}).");
    }
}
