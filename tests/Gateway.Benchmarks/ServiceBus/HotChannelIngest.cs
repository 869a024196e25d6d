using System.Diagnostics;
using System.Globalization;
using Gateway.Core.Telemetry;
using Gateway.Testing.Azurite;
using Gateway.Testing.ServiceBus;

namespace Gateway.Benchmarks.ServiceBus;

/// <summary>
/// One hot channel on the Table log (Azurite, in memory): a backlog of <c>--events N</c> messages (2,000 unless given)
/// sent on one channel as fast as the producer can, ingested by one gateway and read by one SSE client. Prints events/s
/// from the first send to the last receipt, the delivery latency, the machine's load average before and after (the
/// machine may be shared), the share of the run during which the log was appending and the fan-out sending, and where
/// the gateway's time went (<see cref="IngestBreakdown"/>). Started with
/// <see cref="Switch"/>; arguments <c>--Gateway:...=value</c> go to the gateway host as they are.
/// </summary>
internal static class HotChannelIngest
{
    public const string Switch = "--hot-channel";

    private const int Warmup = 100;
    private const int SendBatch = 100;
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(10);

    public static async Task RunAsync(string[] args)
    {
        var options = LatencyRunOptions.Parse(args);
        var events = Value(args, "--events", 2000);
        IngestBreakdown.EnableAzureActivities();
        using var breakdown = new IngestBreakdown();
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var bus = await BusEnvironment.StartAsync();
        await using var gateway = await GatewayPath.StartAsync(bus, azurite.ConnectionString, options.GatewaySettings);

        // JIT, connections, links, the table and the channel's first append, off the figures.
        await BacklogAsync(gateway, new DeliveryRecorder(1, Warmup));
        var loadBefore = LoadAverage();
        breakdown.Start();
        var figures = await BacklogAsync(gateway, new DeliveryRecorder(2, events));
        breakdown.Stop();
        var loadAfter = LoadAverage();

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c,
            $"One hot channel: a backlog of {events} messages sent in batches of {SendBatch} through the in-repo test broker, the gateway's log in Azurite " +
            $"(in memory), one SSE client; everything in this process ({Environment.ProcessorCount} cores); gateway settings: " +
            $"{(options.GatewaySettings.Count == 0 ? "defaults" : string.Join(' ', options.GatewaySettings))}."));
        Console.WriteLine();
        // The load moves the append's cost a lot on a shared machine; the share of the run the log was busy appending says
        // how much of the rest (fan-out, settle, receive) still stood between one append and the next.
        var elapsed = events / figures.EventsPerSecond * 1000;
        var appendShare = breakdown.TotalMilliseconds(GatewayTracing.Append) / elapsed;
        var fanoutShare = breakdown.TotalMilliseconds($"{GatewayTracing.FanoutSend} ({BusEnvironment.FanoutTopic})") / elapsed;
        Console.WriteLine("| events/s | p50 ms | p99 ms | max ms | repeats | log busy appending | fan-out sends | load average before | after |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---|---|");
        Console.WriteLine(string.Create(c,
            $"| {figures.EventsPerSecond:0} | {figures.P50:0} | {figures.P99:0} | {figures.Max:0} | {figures.Duplicates} | {appendShare:P0} | {fanoutShare:P0} | {loadBefore} | {loadAfter} |"));
        breakdown.Print("the backlog (Table log on Azurite, whose insert cost grows with the rows already in the channel's partition)");
    }

    /// <summary>Every message sent back to back, then waited for at the SSE client.</summary>
    private static async Task<DeliveryFigures> BacklogAsync(GatewayPath gateway, DeliveryRecorder recorder)
    {
        gateway.RecordInto(recorder, burst: true);
        for (var from = 0; from < recorder.Count; from += SendBatch)
        {
            var batch = Enumerable.Range(from, Math.Min(SendBatch, recorder.Count - from)).ToList();
            var messages = batch.Select(i => gateway.Message(recorder.Body(i))).ToList();
            var now = Stopwatch.GetTimestamp();
            batch.ForEach(i => recorder.Sent(i, now));
            await gateway.Sender.SendMessagesAsync(messages);
        }

        await recorder.AllReceivedAsync(PhaseTimeout);
        return recorder.Figures();
    }

    /// <summary>The 1, 5 and 15 minute load averages (Linux), as the machine is shared.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static int Value(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at < 0 ? fallback
            : at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) && value > 0 ? value
            : throw new ArgumentException($"{name} needs a positive whole number.");
    }
}
