using System.Diagnostics;
using System.Net.Http.Headers;
using Gateway.Core.Log;
using Gateway.Testing;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.Processes;
using Gateway.Testing.Sse;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Gateway.Azure.Tests.Server;

/// <summary>
/// The server host on the Table log with the in-memory bus is SIGKILLed and restarted several times while publishers
/// send over HTTP (each publish retried with its Idempotency-Key until a 2xx) and reconnecting clients read: an
/// acknowledged publish must be in the log, a retried one in it once, and every client must get its channel whole.
/// </summary>
public sealed class PublishCrashTests(ITestOutputHelper output)
{
    private const int Channels = 5;
    private const int PerChannel = 100;
    private const int ClientsPerChannel = 10;
    private const int Kills = 3;

    // 100 publishes a second over all channels, one publisher per channel sending in order.
    private static readonly TimeSpan PublishInterval = TimeSpan.FromMilliseconds(1000.0 * Channels / 100);
    // Generous: a child server JITs its whole stack at each restart, which takes many seconds on a busy machine.
    private static readonly TimeSpan Whole = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Killing_the_server_loses_no_acknowledged_publish_and_appends_none_twice()
    {
        using var cancel = new CancellationTokenSource(Whole);
        var token = cancel.Token;
        await using var azurite = await AzuriteProcess.StartAsync();
        var table = TableLogSettings.NewTableName();
        var environment = new Dictionary<string, string>
        {
            ["EventLogStorage"] = azurite.ConnectionString,
            ["Gateway__Tables__TableName"] = table,
            ["Gateway__Stream__RetryInterval"] = "00:00:00.100",
            // After a kill the clients wait their opening retry: (spread); keep the spread in proportion.
            ["Gateway__Stream__ReconnectSpread"] = "00:00:00.400",
        };
        var channels = Enumerable.Range(0, Channels).Select(c => $"crash-pub-{c}").ToArray();
        var expected = channels.ToDictionary(c => c, c => Enumerable.Range(1, PerChannel).Select(i => Data(c, i)).ToList());

        GatewayServerProcess? server = await GatewayServerProcess.StartAsync(environment);
        var target = new Target(server.BaseAddress);
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) }) { Timeout = Timeout.InfiniteTimeSpan };
        var clock = Stopwatch.StartNew();
        try
        {
            var clients = channels.SelectMany(c => Enumerable.Range(0, ClientsPerChannel).Select(_ => new ReadingClient(c))).ToList();
            var reading = clients.Select(c => c.RunAsync(http, target, PerChannel, token)).ToList();

            // A client without an id starts at the head: every one is open before the first publish.
            await Task.WhenAll(clients.Select(c => c.Opened)).WaitAsync(Waits.Test, token);
            var publishers = channels.Select(c => new Publisher(c)).ToList();
            var publishing = publishers.Select(p => p.RunAsync(http, target, PerChannel, token)).ToList();

            // Kill at even steps of the acknowledged publishes: at each step publishes are in flight and queued.
            for (var kill = 1; kill <= Kills; kill++)
            {
                var step = Channels * PerChannel * kill / (Kills + 1);
                await Waits.UntilAsync(() => publishers.Sum(p => p.Acknowledged) >= step, Whole, $"{step} acknowledged publishes");
                await server.KillAsync();
                await server.DisposeAsync();
                server = null;
                output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.0} s: killed at {publishers.Sum(p => p.Acknowledged)} acknowledged");
                server = await GatewayServerProcess.StartAsync(new GatewayServerProcessOptions { Environment = environment }, token);
                target.Current = server.BaseAddress;
                output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.0} s: restarted");
            }

            await Task.WhenAll(publishing).WaitAsync(token);
            try
            {
                await Task.WhenAll(reading).WaitAsync(token);
            }
            catch (OperationCanceledException)
            {
                foreach (var group in clients.GroupBy(c => c.Channel))
                {
                    output.WriteLine($"{group.Key}: clients hold {string.Join(",", group.Select(c => c.Received.Count))}; last {string.Join(",", group.Select(c => c.LastId))}; connections {string.Join(",", group.Select(c => c.Connections))}");
                }

                throw;
            }

            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.0} s: {Channels}×{PerChannel} published, {clients.Count} clients done, {Kills} kills");
            output.WriteLine($"publish attempts {publishers.Sum(p => p.Attempts)} (failed {publishers.Sum(p => p.Failures)}), answered 200 (appended before) {publishers.Sum(p => p.Repeats)}");
            output.WriteLine($"stream connections {clients.Sum(c => c.Connections)}; events per client min {clients.Min(c => c.Received.Count)} max {clients.Max(c => c.Received.Count)}");

            foreach (var client in clients)
            {
                Assert.Equal(expected[client.Channel], client.Received);
            }

            await using var services = GatewayServices.Build(TableLogSettings.For(azurite.ConnectionString, table));
            var log = services.GetRequiredService<IEventLog>();
            foreach (var channel in channels)
            {
                var events = new List<(long Offset, string Data)>();
                await foreach (var e in log.ReadAfterAsync(channel, 0, token))
                {
                    events.Add((e.Offset, System.Text.Encoding.UTF8.GetString(e.Data.Span)));
                }

                output.WriteLine($"{channel}: log holds {events.Count}");
                Assert.Equal(Enumerable.Range(1, PerChannel).Select(i => ((long)i, Data(channel, i))), events);
            }
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static string Data(string channel, int i) => $"{channel}/{i:D4}";

    /// <summary>Where the server listens now (a restarted one listens on a new port).</summary>
    private sealed class Target(Uri first)
    {
        private volatile Uri _current = first;

        public Uri Current { get => _current; set => _current = value; }
    }

    /// <summary>Publishes its channel's events in order, each retried with the same key until a 2xx, at a steady pace.</summary>
    private sealed class Publisher(string channel)
    {
        private int _acknowledged;

        public int Acknowledged => Volatile.Read(ref _acknowledged);

        public int Attempts { get; private set; }

        public int Failures { get; private set; }

        public int Repeats { get; private set; }

        public async Task RunAsync(HttpClient http, Target target, int count, CancellationToken token)
        {
            var pace = Stopwatch.StartNew();
            for (var i = 1; i <= count; i++)
            {
                var due = PublishInterval * (i - 1) - pace.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, token);
                }

                var key = $"{channel}-{i}";
                while (!await TryPublishAsync(http, target.Current, key, Data(channel, i), token))
                {
                    Failures++;
                    await Task.Delay(20, token);
                }

                Interlocked.Increment(ref _acknowledged);
            }
        }

        private async Task<bool> TryPublishAsync(HttpClient http, Uri server, string key, string data, CancellationToken token)
        {
            Attempts++;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
            attempt.CancelAfter(AttemptTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, $"/api/channels/{channel}/events"))
            {
                Content = new StringContent(data, new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" }),
            };
            request.Headers.Add("Idempotency-Key", key);
            try
            {
                using var response = await http.SendAsync(request, attempt.Token);
                if (response.StatusCode == System.Net.HttpStatusCode.OK)
                {
                    Repeats++;
                }

                return response.IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !token.IsCancellationRequested))
            {
                return false;
            }
        }
    }

    /// <summary>An SSE client that reconnects with its last id whenever its stream ends or breaks, until it has them all.</summary>
    private sealed class ReadingClient(string channel)
    {
        public string Channel { get; } = channel;

        public List<string> Received { get; } = [];

        public int Connections { get; private set; }

        /// <summary>The id to resume after; null until the first event (the first stream opens before any is published).</summary>
        public string? LastId { get; private set; }

        private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Opened => _opened.Task;

        public async Task RunAsync(HttpClient http, Target target, int count, CancellationToken token)
        {
            while (Received.Count < count)
            {
                token.ThrowIfCancellationRequested();
                try
                {
                    Connections++;
                    await using var stream = await SseStream.OpenAsync(http, new Uri(target.Current, $"/api/channels/{Channel}/stream").ToString(), LastId, recordRaw: false, token);
                    _opened.TrySetResult();
                    while (Received.Count < count && await NextAsync(stream, token) is { } item)
                    {
                        Received.Add(item.EventType == "reset" ? "reset:" + item.Data : item.Data);
                        LastId = item.EventId ?? LastId;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException || (ex is OperationCanceledException && !token.IsCancellationRequested))
                {
                    // The server died under the stream, or is not up yet: come back as a browser would.
                }

                await Task.Delay(50, token);
            }
        }

        // A quiet stream is not an end: wait again (the whole test is bounded by its token).
        private static async Task<System.Net.ServerSentEvents.SseItem<string>?> NextAsync(SseStream stream, CancellationToken token)
        {
            while (true)
            {
                token.ThrowIfCancellationRequested();
                try
                {
                    return await stream.NextOrEndAsync(TimeSpan.FromSeconds(2));
                }
                catch (TimeoutException)
                {
                }
            }
        }
    }
}
