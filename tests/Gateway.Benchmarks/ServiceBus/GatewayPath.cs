using System.Diagnostics;
using Azure.Messaging.ServiceBus;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;
using Gateway.Testing.ServiceBus;
using Gateway.Testing.Sse;

namespace Gateway.Benchmarks.ServiceBus;

/// <summary>
/// The gateway's way: producer → topic <c>events</c> → ingest (log append) → fan-out topic → hub → one SSE client.
/// One real server host (the kit's <see cref="GatewayTestHost"/>) in this process on 127.0.0.1, its log in memory or
/// in Azurite (<paramref name="eventLogStorage"/>), and an SSE client reading with the kit's <see cref="SseStream"/>.
/// </summary>
internal sealed class GatewayPath : IDeliveryPath
{
    private const string Channel = "bench";

    private readonly GatewayTestHost _host;
    private readonly CancellationTokenSource _stop = new();
    private Task _reading = Task.CompletedTask;
    private volatile DeliveryRecorder? _recorder;

    private GatewayPath(GatewayTestHost host, ServiceBusSender sender)
    {
        _host = host;
        Sender = sender;
    }

    public string Name => "producer → gateway → SSE client";

    /// <summary>The bus's producer on the ingest topic (the bus owns it).</summary>
    public ServiceBusSender Sender { get; }

    /// <param name="eventLogStorage">An Azurite connection string for the Table log, or null for the in-memory log.</param>
    /// <param name="settings">More gateway settings, as <c>--Key=value</c> arguments (e.g. <c>--Gateway:ServiceBus:MaxBatchSize=1</c>).</param>
    public static async Task<GatewayPath> StartAsync(BusEnvironment bus, string? eventLogStorage, IReadOnlyList<string> settings)
    {
        (string Key, string Value)[] log = eventLogStorage is null
            ? []
            : [("EventLogStorage", eventLogStorage), ("Gateway:Tables:TableName", $"sbbench{Guid.NewGuid():N}")];
        var host = await GatewayTestHost.StartAsync(new GatewayTestHostOptions
        {
            Settings = [.. bus.GatewaySettings, ("Gateway:Stream:MaxDuration", "01:00:00"), .. log, .. settings.Select(Setting)],
            UntilBusHealthy = true,
        });
        var path = new GatewayPath(host, bus.Producer);
        try
        {
            await path.OpenStreamAsync();
            return path;
        }
        catch
        {
            await path.DisposeAsync();
            throw;
        }
    }

    public ServiceBusMessage Message(string body) =>
        new(body) { ApplicationProperties = { ["channel"] = Channel } };

    // The gateway decides how it takes messages off the bus; the client reads the stream the same way in every phase.
    public void RecordInto(DeliveryRecorder recorder, bool burst) => _recorder = recorder;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reading;
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException)
        {
            // The stream was cut by the stop above.
        }

        await _host.DisposeAsync();
        _stop.Dispose();
    }

    /// <summary><c>--Gateway:ServiceBus:MaxBatchSize=1</c> as a setting.</summary>
    private static (string Key, string Value) Setting(string argument) =>
        argument[2..].Split('=', 2) is [var key, var value] ? (key, value) : throw new ArgumentException($"'{argument}' is not --Key=value.");

    private async Task OpenStreamAsync()
    {
        // No raw copy: the stream carries every event of the run.
        var stream = await SseStream.OpenAsync(_host.Client, GatewayHttp.StreamPath(Channel), recordRaw: false, cancellationToken: _stop.Token);
        _reading = Task.Run(async () =>
        {
            await using (stream)
            {
                while (await stream.NextOrEndAsync(Timeout.InfiniteTimeSpan) is { } item)
                {
                    _recorder?.Received(item.Data, Stopwatch.GetTimestamp());
                }
            }

            // A benchmark that loses its stream would wait for events that never come: say so at once.
            Console.Error.WriteLine("The SSE stream ended.");
        });
    }
}
