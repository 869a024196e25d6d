using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gateway.Core.Hub;
using Gateway.Core.Log;
using Gateway.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The real embedded server (<see cref="GatewayServer.Build"/>) on 127.0.0.1 and a free port, with a real
/// <see cref="HttpClient"/> pointed at it. Settings are configuration keys, e.g. <c>Gateway:Stream:MaxDuration</c>.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private GatewayHost(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = Waits.Request };
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    public EventHub Hub => Services.GetRequiredService<EventHub>();

    public IEventLog Log => Services.GetRequiredService<IEventLog>();

    public static Task<GatewayHost> StartAsync(params (string Key, string Value)[] settings) => StartAsync(null, settings);

    /// <param name="configure">Runs after the gateway's own registrations, e.g. to decorate a service.</param>
    public static async Task<GatewayHost> StartAsync(Action<WebApplicationBuilder>? configure, params (string Key, string Value)[] settings)
    {
        var args = new List<string>
        {
            "--urls", "http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
        };
        args.AddRange(settings.Select(s => $"--{s.Key}={s.Value}"));

        var app = GatewayServer.Build([.. args], configure);
        using var startTimeout = new CancellationTokenSource(Waits.Startup);
        await app.StartAsync(startTimeout.Token);

        // Port 0: Kestrel picked a free port; after start, Urls reports the bound one.
        var address = app.Urls.Single();
        return new GatewayHost(app, new Uri(address));
    }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, BaseAddress.Port);

    public static string StreamPath(string channel) => $"/api/channels/{channel}/stream";

    public static string PublishPath(string channel, string? eventName = null) =>
        eventName is null ? $"/api/channels/{channel}/events" : $"/api/channels/{channel}/events?event={Uri.EscapeDataString(eventName)}";

    /// <summary>Publishes UTF-8 text over HTTP and expects 202 Accepted.</summary>
    public Task PublishAsync(string channel, string data, string? eventName = null) =>
        PublishAsync(channel, Encoding.UTF8.GetBytes(data), eventName);

    public async Task PublishAsync(string channel, byte[] data, string? eventName = null)
    {
        using var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        using var response = await Client.PostAsync(PublishPath(channel, eventName), content);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"Publish to '{channel}' answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>
    /// Publishing is asynchronous (bus → ingest → log): waits until the channel's log reaches <paramref name="offset"/>
    /// and returns the log's epoch.
    /// </summary>
    public async Task<string> WaitForHeadAsync(string channel, long offset)
    {
        var deadline = DateTime.UtcNow + Waits.Item;
        while (true)
        {
            var head = await Log.GetHeadAsync(channel, CancellationToken.None);
            if (head.Offset >= offset)
            {
                return head.Epoch!;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The log of '{channel}' is at {head.Offset}, not {offset}, after {Waits.Item.TotalSeconds} s.");
            }

            await Task.Delay(10);
        }
    }

    public Task<SseStream> OpenStreamAsync(string channel, string? lastEventId = null, bool recordRaw = true) =>
        SseStream.OpenAsync(Client, StreamPath(channel), lastEventId, recordRaw);

    /// <summary>Stops the host (ending every stream cleanly), bounded by <see cref="Waits.Shutdown"/>.</summary>
    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(Waits.Shutdown);
        await App.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync();
        await App.DisposeAsync();
    }
}
