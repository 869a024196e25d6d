using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gateway.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.BrowserTests.Infrastructure;

/// <summary>
/// The real embedded server (<see cref="GatewayServer.Build"/>) on 127.0.0.1 and a free port, plus one extra route
/// on the same Kestrel host that serves the EventSource test page (same origin, so no CORS is involved).
/// </summary>
public sealed class BrowserGateway : IAsyncDisposable
{
    public const string TestPagePath = "/test/eventsource.html";

    private readonly WebApplication _app;
    private readonly HttpClient _client;

    private BrowserGateway(WebApplication app, Uri baseAddress, StreamRequestLog streamRequests)
    {
        _app = app;
        BaseAddress = baseAddress;
        StreamRequests = streamRequests;
        _client = new HttpClient { BaseAddress = baseAddress, Timeout = Waits.Request };
    }

    public Uri BaseAddress { get; }

    public StreamRequestLog StreamRequests { get; }

    /// <summary>Starts the gateway with extra configuration keys, e.g. <c>("Gateway:Stream:MaxDuration", "00:00:02")</c>.</summary>
    public static async Task<BrowserGateway> StartAsync(params (string Key, string Value)[] settings)
    {
        var args = new List<string> { "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning" };
        args.AddRange(settings.Select(s => $"--{s.Key}={s.Value}"));

        var app = GatewayServer.Build([.. args]);
        var streamRequests = new StreamRequestLog();
        app.Use((context, next) => streamRequests.RecordAsync(context, () => next(context)));
        var page = ReadTestPage();
        app.MapGet(TestPagePath, () => Results.Bytes(page, "text/html; charset=utf-8"));

        using var startTimeout = new CancellationTokenSource(Waits.Startup);
        await app.StartAsync(startTimeout.Token);

        // Port 0: Kestrel picked a free port; the addresses feature reports the bound one.
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new BrowserGateway(app, new Uri(address), streamRequests);
    }

    public Uri TestPage(string channel, params string[] eventNames) =>
        new(BaseAddress, $"{TestPagePath}?channel={Uri.EscapeDataString(channel)}&events={Uri.EscapeDataString(string.Join(',', eventNames))}");

    /// <summary>Publishes UTF-8 text over HTTP, as any producer would, and expects 202 Accepted.</summary>
    public async Task PublishAsync(string channel, string data, string? eventName = null)
    {
        var path = $"/api/channels/{channel}/events" + (eventName is null ? "" : $"?event={Uri.EscapeDataString(eventName)}");
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(data));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        using var response = await _client.PostAsync(path, content);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"Publish to '{channel}' answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        using (var timeout = new CancellationTokenSource(Waits.Shutdown))
        {
            await _app.StopAsync(timeout.Token);
        }

        await _app.DisposeAsync();
    }

    private static byte[] ReadTestPage()
    {
        using var stream = typeof(BrowserGateway).Assembly.GetManifestResourceStream("Gateway.BrowserTests.Pages.eventsource.html")
            ?? throw new InvalidOperationException("The EventSource test page is missing from the test assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
