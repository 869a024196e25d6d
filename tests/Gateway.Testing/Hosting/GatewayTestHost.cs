using System.Net;
using Gateway.Core.Hub;
using Gateway.Core.Log;
using Gateway.Server;
using Gateway.Testing.Http;
using Gateway.Testing.Sse;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Testing.Hosting;

/// <summary>
/// The real server host, built by <see cref="GatewayServer.Build"/> exactly as users run it, in this process on
/// 127.0.0.1 and a port Kestrel picks, with a real <see cref="HttpClient"/> pointed at it. Everything specific to a
/// test (Table log, Service Bus, an extra route) is settings or a callback in <see cref="GatewayTestHostOptions"/>.
/// </summary>
public sealed class GatewayTestHost : IAsyncDisposable
{
    private GatewayTestHost(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
        Client = GatewayHttp.CreateClient(baseAddress);
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, BaseAddress.Port);

    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    public EventHub Hub => Services.GetRequiredService<EventHub>();

    public IEventLog Log => Services.GetRequiredService<IEventLog>();

    /// <summary>This host's in-memory log (when it has no Table log), to share with another instance.</summary>
    public InMemoryEventLog InMemoryLog => Services.GetRequiredService<InMemoryEventLog>();

    public static Task<GatewayTestHost> StartAsync(params (string Key, string Value)[] settings) =>
        StartAsync(new GatewayTestHostOptions { Settings = settings });

    /// <param name="configure">Runs after the gateway's own registrations, e.g. to decorate a service.</param>
    public static Task<GatewayTestHost> StartAsync(Action<WebApplicationBuilder>? configure, params (string Key, string Value)[] settings) =>
        StartAsync(new GatewayTestHostOptions { Settings = settings, Configure = configure });

    public static async Task<GatewayTestHost> StartAsync(GatewayTestHostOptions options)
    {
        // Port 0: Kestrel picks a free port; after start, Urls reports the bound one.
        var app = GatewayServer.Build(GatewayArguments.For("http://127.0.0.1:0", options.Settings), options.Configure);
        try
        {
            options.ConfigureApp?.Invoke(app);
            using var startTimeout = new CancellationTokenSource(Waits.Startup);
            await app.StartAsync(startTimeout.Token);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var host = new GatewayTestHost(app, new Uri(app.Urls.Single()));
        if (options.UntilBusHealthy)
        {
            try
            {
                await host.Client.UntilBusHealthyAsync(Waits.Startup);
            }
            catch
            {
                await host.DisposeAsync();
                throw;
            }
        }

        return host;
    }

    public static string StreamPath(string channel) => GatewayHttp.StreamPath(channel);

    public static string PublishPath(string channel, string? eventName = null) => GatewayHttp.PublishPath(channel, eventName);

    /// <summary>Publishes UTF-8 text over HTTP and expects a 2xx (201 once in the log, on the embedded bus).</summary>
    public Task PublishAsync(string channel, string data, string? eventName = null) => Client.PublishAsync(channel, data, eventName);

    public Task PublishAsync(string channel, byte[] data, string? eventName = null) => Client.PublishAsync(channel, data, eventName);

    /// <summary>
    /// Publishing is asynchronous (bus → ingest → log): waits until the channel's log reaches <paramref name="offset"/>
    /// and returns the log's epoch.
    /// </summary>
    public Task<string> WaitForHeadAsync(string channel, long offset) => Log.UntilHeadAsync(channel, offset);

    /// <summary>The data of every event in the channel's log, in log order, as UTF-8 text.</summary>
    public async Task<List<string>> LogDataAsync(string channel)
    {
        var data = new List<string>();
        await foreach (var e in Log.ReadAfterAsync(channel, 0, CancellationToken.None))
        {
            data.Add(System.Text.Encoding.UTF8.GetString(e.Data.Span));
        }

        return data;
    }

    /// <param name="recordRaw">False for streams that carry many megabytes, so the copy does not distort memory figures.</param>
    public Task<SseStream> OpenStreamAsync(string channel, string? lastEventId = null, bool recordRaw = true) =>
        Client.OpenStreamAsync(channel, lastEventId, recordRaw);

    /// <summary>Opens one stream over <paramref name="channels"/> (<c>/api/stream?channel=…</c>).</summary>
    public Task<SseStream> OpenMultiStreamAsync(IEnumerable<string> channels, string? lastEventId = null, bool recordRaw = true) =>
        Client.OpenMultiStreamAsync(channels, lastEventId, recordRaw);

    /// <summary>
    /// Starts a second instance on the in-memory log of <paramref name="other"/> (standing in for a shared Table log): it
    /// replays what the other ingested; live events reach only the hub of the instance they were published to.
    /// </summary>
    public static Task<GatewayTestHost> StartSharingLogAsync(GatewayTestHost other, params (string Key, string Value)[] settings)
    {
        var log = other.InMemoryLog;
        return StartAsync(builder => builder.Services.AddSingleton(log), settings);
    }

    /// <summary>The "bus" entry of <c>GET /api/health</c>.</summary>
    public Task<(string Status, string? Description)> BusHealthAsync() => Client.HealthCheckAsync("bus");

    /// <summary>Stops the host (ending every stream cleanly); <paramref name="timeout"/> bounds how long in-flight work may finish.</summary>
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
}
