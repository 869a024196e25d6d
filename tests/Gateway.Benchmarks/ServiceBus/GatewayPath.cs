using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Gateway.Server;
using Gateway.TestBroker;
using Microsoft.AspNetCore.Builder;

namespace Gateway.Benchmarks.ServiceBus;

/// <summary>
/// The gateway's way: producer → topic <c>events</c> → ingest (log append) → fan-out topic → hub → one SSE client.
/// One real server host (<see cref="GatewayServer.Build"/>) in this process on 127.0.0.1, its log in memory or in
/// Azurite (<paramref name="eventLogStorage"/>), and an SSE client reading with <see cref="SseParser"/>.
/// </summary>
internal sealed class GatewayPath : IDeliveryPath
{
    private const string Topic = "events";
    private const string Channel = "bench";
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(30);

    private readonly WebApplication _app;
    private readonly ServiceBusClient _client;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private Task _reading = Task.CompletedTask;
    private volatile DeliveryRecorder? _recorder;

    private GatewayPath(WebApplication app, ServiceBusClient client, HttpClient http)
    {
        _app = app;
        _client = client;
        _http = http;
        Sender = client.CreateSender(Topic);
    }

    public string Name => "producer → gateway → SSE client";

    public ServiceBusSender Sender { get; }

    /// <param name="eventLogStorage">An Azurite connection string for the Table log, or null for the in-memory log.</param>
    /// <param name="settings">More gateway settings, as <c>--Key=value</c> arguments (e.g. <c>--Gateway:ServiceBus:MaxBatchSize=1</c>).</param>
    public static async Task<GatewayPath> StartAsync(TestServiceBusBroker broker, string? eventLogStorage, IReadOnlyList<string> settings)
    {
        broker.CreateTopic(Topic);
        broker.CreateSubscription(Topic, "gateway");
        broker.CreateTopic("events-fanout");
        var args = new List<string>
        {
            "--urls", "http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            // The start-up polls /api/health while the receivers connect (Degraded).
            "--Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks=Error",
            // One instance: its in-memory log is expected here, as is nothing to warn about.
            "--Logging:LogLevel:Gateway.Azure.ServiceBus.ServiceBusIngestService=Error",
            $"--EventBus={broker.ConnectionString}",
            "--Gateway:Stream:MaxDuration=01:00:00",
        };
        if (eventLogStorage is not null)
        {
            args.Add($"--EventLogStorage={eventLogStorage}");
            args.Add($"--Gateway:Tables:TableName=sbbench{Guid.NewGuid():N}");
        }

        args.AddRange(settings);
        var app = GatewayServer.Build([.. args], configure: null);
        await app.StartAsync();
        var path = new GatewayPath(app, new ServiceBusClient(broker.ConnectionString), new HttpClient { BaseAddress = new Uri(app.Urls.Single()) });
        try
        {
            await path.UntilBusHealthyAsync();
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

        _http.Dispose();
        await Sender.DisposeAsync();
        await _client.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stop.Dispose();
    }

    private async Task OpenStreamAsync()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/channels/{Channel}/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStreamAsync(_stop.Token);
        _reading = Task.Run(async () =>
        {
            using (request)
            using (response)
            {
                await foreach (var item in SseParser.Create(body).EnumerateAsync(_stop.Token))
                {
                    _recorder?.Received(item.Data, Stopwatch.GetTimestamp());
                }
            }

            // A benchmark that loses its stream would wait for events that never come: say so at once.
            Console.Error.WriteLine("The SSE stream ended.");
        });
    }

    private async Task UntilBusHealthyAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartupTimeout)
        {
            using var response = await _http.GetAsync("/api/health");
            using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (health.RootElement.GetProperty("checks").GetProperty("bus").GetProperty("status").GetString() == "Healthy")
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The gateway's bus was not healthy within {StartupTimeout.TotalSeconds} s.");
    }
}
