using Gateway.Testing.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.BrowserTests.Infrastructure;

/// <summary>
/// The kit's <see cref="GatewayTestHost"/> with what the browser tests add on the same Kestrel host: the EventSource
/// test page (same origin, so no CORS is involved) and the log of stream requests the browser made.
/// </summary>
public static class BrowserGateway
{
    public const string TestPagePath = "/test/eventsource.html";

    public const string MultiChannelPagePath = "/test/multichannel.html";

    private static readonly Lazy<byte[]> Page = new(() => ReadPage("eventsource.html"));
    private static readonly Lazy<byte[]> MultiChannelPage = new(() => ReadPage("multichannel.html"));

    /// <summary>Starts the gateway with extra configuration keys, e.g. <c>("Gateway:Stream:MaxDuration", "00:00:02")</c>.</summary>
    public static Task<GatewayTestHost> StartAsync(params (string Key, string Value)[] settings) =>
        GatewayTestHost.StartAsync(new GatewayTestHostOptions
        {
            Settings = settings,
            Configure = builder => builder.Services.AddSingleton<StreamRequestLog>(),
            ConfigureApp = app =>
            {
                var streamRequests = app.Services.GetRequiredService<StreamRequestLog>();
                app.Use((context, next) => streamRequests.RecordAsync(context, () => next(context)));
                app.MapGet(TestPagePath, () => Results.Bytes(Page.Value, "text/html; charset=utf-8"));
                app.MapGet(MultiChannelPagePath, () => Results.Bytes(MultiChannelPage.Value, "text/html; charset=utf-8"));
            },
        });

    extension(GatewayTestHost gateway)
    {
        /// <summary>The stream requests this gateway received (see <see cref="StreamRequestLog"/>).</summary>
        public StreamRequestLog StreamRequests => gateway.Services.GetRequiredService<StreamRequestLog>();

        /// <summary>The test page, listening on <paramref name="channel"/> for <paramref name="eventNames"/> besides <c>message</c>.</summary>
        public Uri TestPage(string channel, params string[] eventNames) =>
            new(gateway.BaseAddress, $"{TestPagePath}?channel={Uri.EscapeDataString(channel)}&events={Uri.EscapeDataString(string.Join(',', eventNames))}");

        /// <summary>The multi-channel test page: one EventSource over <paramref name="channels"/>, listening for <paramref name="eventNames"/> besides <c>message</c>.</summary>
        public Uri MultiChannelTestPage(IEnumerable<string> channels, params string[] eventNames) =>
            new(gateway.BaseAddress, $"{MultiChannelPagePath}?{string.Concat(channels.Select(c => $"channel={Uri.EscapeDataString(c)}&"))}events={Uri.EscapeDataString(string.Join(',', eventNames))}");
    }

    private static byte[] ReadPage(string name)
    {
        using var stream = typeof(BrowserGateway).Assembly.GetManifestResourceStream("Gateway.BrowserTests.Pages." + name)
            ?? throw new InvalidOperationException($"The test page {name} is missing from the test assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
