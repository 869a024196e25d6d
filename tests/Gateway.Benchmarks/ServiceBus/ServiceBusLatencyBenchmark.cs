using System.Diagnostics;
using System.Globalization;
using Gateway.Testing.Azurite;
using Gateway.Testing.ServiceBus;

namespace Gateway.Benchmarks.ServiceBus;

/// <summary>
/// Producer → SSE client latency and sustained events/s through the in-repo test broker, beside the raw client's
/// send → receive through the same broker in the same run, and the raw client's two hops (send → receive → send →
/// receive, <see cref="RawClientPath"/> with two hops): the floor under the gateway's path, which crosses the broker twice. A Stopwatch runner (percentiles of every message, which
/// BenchmarkDotNet does not give), started with <see cref="Switch"/>; prints a table, then where the gateway's time
/// went during its burst (<see cref="IngestBreakdown"/>).
/// </summary>
internal static class ServiceBusLatencyBenchmark
{
    public const string Switch = "--servicebus-latency";

    private const int Warmup = 300;
    private const int BurstBatch = 100;
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(120);

    public static async Task RunAsync(string[] args)
    {
        var options = LatencyRunOptions.Parse(args);
        IngestBreakdown.EnableAzureActivities();
        using var breakdown = new IngestBreakdown();
        await using var azurite = options.TableLog ? await AzuriteProcess.StartAsync() : null;
        await using var bus = await BusEnvironment.StartAsync();
        await using var raw = new RawClientPath(bus.Broker, hops: 1);
        await using var twoHops = new RawClientPath(bus.Broker, hops: 2);
        await using var gateway = await GatewayPath.StartAsync(bus, azurite?.ConnectionString, options.GatewaySettings);
        IDeliveryPath[] paths = [raw, twoHops, gateway];

        var phase = 0;
        var results = new List<(IDeliveryPath Path, DeliveryFigures Paced, DeliveryFigures Burst)>();
        foreach (var path in paths)
        {
            // JIT, connections, links and (for the gateway) the channel's first append, off the figures.
            await PacedAsync(path, new DeliveryRecorder(++phase, Warmup), options.Rate);
            var paced = await PacedAsync(path, new DeliveryRecorder(++phase, options.Count), options.Rate);
            if (path == gateway)
            {
                breakdown.Start();
            }

            var burst = await BurstAsync(path, new DeliveryRecorder(++phase, options.Burst));
            breakdown.Stop();
            results.Add((path, paced, burst));
        }

        Print(options, results);
        breakdown.Print($"the gateway's burst ({(options.TableLog ? "Table log on Azurite, whose insert cost grows with the rows already in the channel's partition: see " + HotChannelAppendCost.Switch : "in-memory log")})");
    }

    /// <summary>One message at a time at <paramref name="rate"/> per second; latency is measured from just before each send.</summary>
    private static async Task<DeliveryFigures> PacedAsync(IDeliveryPath path, DeliveryRecorder recorder, int rate)
    {
        path.RecordInto(recorder, burst: false);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < recorder.Count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }

            var message = path.Message(recorder.Body(i));
            recorder.Sent(i, Stopwatch.GetTimestamp());
            await path.Sender.SendMessageAsync(message);
        }

        await recorder.AllReceivedAsync(PhaseTimeout);
        return recorder.Figures();
    }

    /// <summary>Batches of <see cref="BurstBatch"/> sent back to back: events/s from the first send to the last receipt.</summary>
    private static async Task<DeliveryFigures> BurstAsync(IDeliveryPath path, DeliveryRecorder recorder)
    {
        path.RecordInto(recorder, burst: true);
        for (var from = 0; from < recorder.Count; from += BurstBatch)
        {
            var batch = Enumerable.Range(from, Math.Min(BurstBatch, recorder.Count - from)).ToList();
            var messages = batch.Select(i => path.Message(recorder.Body(i))).ToList();
            var now = Stopwatch.GetTimestamp();
            batch.ForEach(i => recorder.Sent(i, now));
            await path.Sender.SendMessagesAsync(messages);
        }

        await recorder.AllReceivedAsync(PhaseTimeout);
        return recorder.Figures();
    }

    private static void Print(LatencyRunOptions options, List<(IDeliveryPath Path, DeliveryFigures Paced, DeliveryFigures Burst)> results)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c,
            $"Service Bus through the in-repo test broker (127.0.0.1), gateway log: {(options.TableLog ? "Table (Azurite)" : "in memory")}, " +
            $"{options.Count} messages paced at {options.Rate}/s, then a burst of {options.Burst} in batches of {BurstBatch}; " +
            $"everything in this process ({Environment.ProcessorCount} cores); gateway settings: {(options.GatewaySettings.Count == 0 ? "defaults" : string.Join(' ', options.GatewaySettings))}."));
        Console.WriteLine();
        Console.WriteLine("| path | paced p50 ms | p90 ms | p99 ms | max ms | burst events/s | burst p50 ms | burst p99 ms | repeats |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (path, paced, burst) in results)
        {
            Console.WriteLine(string.Create(c,
                $"| {path.Name} | {paced.P50:0.0} | {paced.P90:0.0} | {paced.P99:0.0} | {paced.Max:0.0} | {burst.EventsPerSecond:0} | {burst.P50:0} | {burst.P99:0} | {paced.Duplicates + burst.Duplicates} |"));
        }

        var (_, rawPaced, rawBurst) = results[0];
        var (_, floorPaced, floorBurst) = results[1];
        var (_, gatewayPaced, gatewayBurst) = results[2];
        Console.WriteLine(Ratio("raw", gatewayPaced, gatewayBurst, rawPaced, rawBurst));
        Console.WriteLine(Ratio("two hops", gatewayPaced, gatewayBurst, floorPaced, floorBurst));
        Console.WriteLine();
        Console.WriteLine(string.Create(c,
            $"Producer → SSE p99 {gatewayPaced.P99:0.0} ms beside the raw two-hop floor's p99 {floorPaced.P99:0.0} ms: " +
            $"{gatewayPaced.P99 / floorPaced.P99:0.00}x (issue 13's target: at most 1.5x)."));
    }

    private static string Ratio(string floorName, DeliveryFigures gatewayPaced, DeliveryFigures gatewayBurst, DeliveryFigures floorPaced, DeliveryFigures floorBurst) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| ratio gateway / {floorName} | {gatewayPaced.P50 / floorPaced.P50:0.0}x | {gatewayPaced.P90 / floorPaced.P90:0.0}x | {gatewayPaced.P99 / floorPaced.P99:0.0}x | " +
            $"{gatewayPaced.Max / floorPaced.Max:0.0}x | {gatewayBurst.EventsPerSecond / floorBurst.EventsPerSecond:0.00}x | | | |");
}
