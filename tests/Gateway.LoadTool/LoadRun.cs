using System.Diagnostics;
using Gateway.Testing.Http;

namespace Gateway.LoadTool;

/// <summary>One bounded run: warm up, measure, open the idle streams, measure again, optionally publish, print.</summary>
internal sealed class LoadRun(LoadOptions options, Uri baseAddress, ServerProcess? server, int? serverPid)
{
    private const int WarmUpStreams = 10;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            // One connection per stream: HTTP/1.1 without a per-server cap and with no pooled-connection expiry.
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        using var streamsClient = new HttpClient(handler, disposeHandler: false) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var publishClient = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(20) };

        Console.WriteLine($"Gateway load: {options.Streams} idle streams on channel '{options.Channel}' at {baseAddress} " +
            $"(server pid {serverPid?.ToString() ?? "unknown"}{(server is null ? ", external" : ", child process")}; client open-file limit {ProcessMemory.OpenFileLimit()})");

        // Warm up on another channel, so JIT and pools are in the baseline and not counted per stream.
        await HoldAsync(streamsClient, publishClient, $"{options.Channel}-warmup", WarmUpStreams, events: 1, report: false, cancellationToken);
        await Task.Delay(Settle, cancellationToken);
        var before = await ServerMemory.ReadAsync(server, serverPid, cancellationToken);

        return await HoldAsync(streamsClient, publishClient, options.Channel, options.Streams, options.Events, report: true, cancellationToken, before);
    }

    private async Task<int> HoldAsync(
        HttpClient streamsClient, HttpClient publishClient, string channel, int count, int events, bool report,
        CancellationToken cancellationToken, ServerMemory? before = null)
    {
        var latency = new FanoutLatency();
        var streams = Enumerable.Range(0, count).Select(_ => new LoadStream(streamsClient, GatewayHttp.StreamPath(channel), latency)).ToList();
        using var holding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var failures = 0;
        string? firstFailure = null;
        try
        {
            var opening = Stopwatch.StartNew();
            await Parallel.ForEachAsync(streams, new ParallelOptions { MaxDegreeOfParallelism = options.OpenConcurrency, CancellationToken = cancellationToken }, async (stream, _) =>
            {
                try
                {
                    await stream.OpenAsync(holding.Token);
                }
                catch (Exception error) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, error.Message, null);
                }
            });
            opening.Stop();

            if (report)
            {
                await Task.Delay(Settle, cancellationToken);
                var after = await ServerMemory.ReadAsync(server, serverPid, cancellationToken);
                var held = streams.Count(s => s.IsOpen);
                Console.WriteLine($"Opened {count - failures} of {count} streams in {opening.Elapsed.TotalSeconds:0.00} s (all first bytes received); held {Settle.TotalSeconds:0} s later: {held}");
                if (firstFailure is not null)
                {
                    Console.WriteLine($"  {failures} failed to open; first error: {firstFailure}");
                }

                PrintMemory(before!, after, held);
                if (options.HoldSeconds > 0)
                {
                    Console.WriteLine($"Holding the streams open for {options.HoldSeconds} s (server pid {serverPid?.ToString() ?? "unknown"}).");
                    await Task.Delay(TimeSpan.FromSeconds(options.HoldSeconds), cancellationToken);
                }
            }

            if (events > 0)
            {
                var expected = streams.Count(s => s.IsOpen) * events;
                await PublishAsync(publishClient, channel, events, cancellationToken);
                var waiting = Stopwatch.StartNew();
                while (latency.Deliveries < expected && waiting.Elapsed < DeliveryTimeout)
                {
                    await Task.Delay(20, cancellationToken);
                }

                if (report)
                {
                    Console.WriteLine($"Fan-out of {events} events to {expected / events} streams: {latency.Deliveries} of {expected} deliveries; {latency.Summary()}");
                }
                else if (latency.Deliveries < expected)
                {
                    throw new InvalidOperationException($"Warm-up: {latency.Deliveries} of {expected} deliveries within {DeliveryTimeout.TotalSeconds} s.");
                }
            }

            return failures == 0 ? 0 : 1;
        }
        finally
        {
            await holding.CancelAsync();
            await Task.WhenAll(streams.Select(s => s.Ended)).WaitAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
        }
    }

    private async Task PublishAsync(HttpClient client, string channel, int events, CancellationToken cancellationToken)
    {
        for (var i = 0; i < events; i++)
        {
            await client.PublishAsync(channel, FanoutLatency.Stamp());
            await Task.Delay(options.PublishIntervalMs, cancellationToken);
        }
    }

    private static void PrintMemory(ServerMemory before, ServerMemory after, int held)
    {
        static string MiB(long? bytes) => bytes is { } b ? $"{b / 1024.0 / 1024.0:0.0} MiB" : "n/a";
        string PerStream(long? from, long? to) => from is { } f && to is { } t && held > 0 ? $"{(t - f) / 1024.0 / held:0.00} KiB" : "n/a";

        Console.WriteLine($"Server memory{(after.Gc is { } gc ? $" ({gc.Mode} GC, after a forced full collection)" : "")}:");
        Console.WriteLine($"  {"",-24}{"before",12}{"after",12}{"per stream",14}");
        Console.WriteLine($"  {"resident set (VmRSS)",-24}{MiB(before.ResidentBytes),12}{MiB(after.ResidentBytes),12}{PerStream(before.ResidentBytes, after.ResidentBytes),14}");
        Console.WriteLine($"  {"GC heap (live)",-24}{MiB(before.Gc?.HeapBytes),12}{MiB(after.Gc?.HeapBytes),12}{PerStream(before.Gc?.HeapBytes, after.Gc?.HeapBytes),14}");
        Console.WriteLine($"  {"GC committed",-24}{MiB(before.Gc?.CommittedBytes),12}{MiB(after.Gc?.CommittedBytes),12}{PerStream(before.Gc?.CommittedBytes, after.Gc?.CommittedBytes),14}");
    }
}
