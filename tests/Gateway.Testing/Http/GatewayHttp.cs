using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Gateway.Client.Publishing;
using Gateway.Testing.Sse;

namespace Gateway.Testing.Http;

/// <summary>
/// The gateway's HTTP surface as a client uses it, for any gateway a test talks to (in-process host, child process):
/// its paths, publishing, opening a stream, and its health report.
/// </summary>
public static class GatewayHttp
{
    public const string HealthPath = "/api/health";

    /// <summary>A client of the gateway at <paramref name="baseAddress"/>, each request bounded by <see cref="Waits.Request"/>.</summary>
    public static HttpClient CreateClient(Uri baseAddress) => new() { BaseAddress = baseAddress, Timeout = Waits.Request };

    public static string StreamPath(string channel) => $"/api/channels/{channel}/stream";

    /// <summary>The multi-channel stream: <c>/api/stream?channel=a&amp;channel=b</c>, channels in the given order.</summary>
    public static string MultiStreamPath(IEnumerable<string> channels) =>
        "/api/stream?" + string.Join('&', channels.Select(c => "channel=" + Uri.EscapeDataString(c)));

    /// <summary>The channel's info: head, oldest retained id, streams on the instance.</summary>
    public static string ChannelInfoPath(string channel) => $"/api/channels/{channel}";

    public static string PublishPath(string channel, string? eventName = null) =>
        eventName is null ? $"/api/channels/{channel}/events" : $"/api/channels/{channel}/events?event={Uri.EscapeDataString(eventName)}";

    /// <summary>
    /// Publishes UTF-8 text over HTTP with the client package's <see cref="GatewayPublisher"/>, as a .NET producer would,
    /// and expects a 2xx (201 committed, 202 queued): an event the gateway would refuse throws before it is sent, a
    /// refusal throws <see cref="GatewayRequestException"/>.
    /// </summary>
    public static Task PublishAsync(this HttpClient client, string channel, string data, string? eventName = null) =>
        new GatewayPublisher(client).PublishAsync(channel, data, eventName);

    /// <summary>Publishes bytes (declared as UTF-8 text) as <see cref="PublishAsync(HttpClient, string, string, string?)"/> does.</summary>
    public static Task PublishAsync(this HttpClient client, string channel, byte[] data, string? eventName = null) =>
        new GatewayPublisher(client).PublishAsync(channel, data, eventName);

    /// <summary>Opens the channel's SSE stream (see <see cref="SseStream.OpenAsync"/>).</summary>
    public static Task<SseStream> OpenStreamAsync(this HttpClient client, string channel, string? lastEventId = null, bool recordRaw = true) =>
        SseStream.OpenAsync(client, StreamPath(channel), lastEventId, recordRaw);

    /// <summary>Opens a stream over several channels (see <see cref="SseStream.OpenAsync"/>).</summary>
    public static Task<SseStream> OpenMultiStreamAsync(this HttpClient client, IEnumerable<string> channels, string? lastEventId = null, bool recordRaw = true) =>
        SseStream.OpenAsync(client, MultiStreamPath(channels), lastEventId, recordRaw);

    /// <summary>One entry of <c>GET /api/health</c> (<c>"log"</c> or <c>"bus"</c>): its status and description.</summary>
    public static async Task<(string Status, string? Description)> HealthCheckAsync(this HttpClient client, string check)
    {
        using var response = await client.GetAsync(HealthPath);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var entry = body.RootElement.GetProperty("checks").GetProperty(check);
        return (entry.GetProperty("status").GetString()!, entry.TryGetProperty("description", out var d) ? d.GetString() : null);
    }

    /// <summary>
    /// Polls the "bus" health check until it is Healthy (the receivers talk to the broker; the in-memory bus at once).
    /// Connection failures count as "not listening yet"; <paramref name="gone"/> may end the wait early with a reason
    /// (a child process that exited) and <paramref name="diagnostics"/> adds to the timeout's message.
    /// </summary>
    public static async Task UntilBusHealthyAsync(
        this HttpClient client, TimeSpan timeout, Func<string?>? gone = null, Func<string>? diagnostics = null, CancellationToken cancellationToken = default)
    {
        var elapsed = Stopwatch.StartNew();
        var last = "not listening";
        while (elapsed.Elapsed < timeout)
        {
            if (gone?.Invoke() is { } reason)
            {
                throw new InvalidOperationException(reason);
            }

            try
            {
                var (status, description) = await client.HealthCheckAsync("bus");
                if (status == "Healthy")
                {
                    return;
                }

                last = $"{status} ({description})";
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Listening but not answering within the client's timeout (a process still starting on a busy machine).
                last = "no answer within the request timeout";
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"The gateway's bus was not healthy within {timeout.TotalSeconds:0} s (last: {last}).{diagnostics?.Invoke()}");
    }
}
