using System.Diagnostics;
using System.Globalization;
using Gateway.Benchmarks.Tables;
using Gateway.Core.Events;
using Gateway.Core.Log;
using Gateway.Testing.Azurite;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Benchmarks.ServiceBus;

/// <summary>
/// Where the ingest time of <c>--servicebus-latency --table</c> goes: the Table log's append of one ingest batch
/// (head read + transactions of 49 events, 49 dedupe markers and the head) on Azurite, by batch size on a fresh
/// channel, then on one hot channel as its partition grows. Azurite's insert cost grows with the number of rows
/// in the partition (its in-memory store appears to look each row up among the rows of its partition), which real Table storage does not
/// do, so a long burst on one channel slows down as it goes. Started with <see cref="Switch"/>; prints a table.
/// </summary>
internal static class HotChannelAppendCost
{
    public const string Switch = "--hot-channel-append-cost";

    private const int Repeats = 10;
    private const int IngestBatch = 100;
    private const int GrowTo = 20_000;
    private const int ReportEvery = 2_000;

    public static async Task RunAsync()
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var services = TableBenchEnvironment.LogServices(azurite);
        var log = services.GetRequiredService<IEventLog>();
        var source = 0;
        List<EventDraft> Batch(int size) =>
            [.. Enumerable.Range(0, size).Select(_ => TableBenchEnvironment.Draft(source) with { SourceId = $"m{source++}" })];

        // Connections, JIT and the table itself, off the figures.
        await log.AppendAsync("warmup", Batch(IngestBatch), CancellationToken.None);

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine($"Table log append on Azurite (in memory), one ingest batch per append, every event with a source id (a marker row); median of {Repeats}.");
        Console.WriteLine();
        Console.WriteLine("| batch size | transactions | rows written | append ms | ms per event |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (var size in new[] { 1, 10, 49, 50, 100 })
        {
            var times = new List<double>();
            for (var r = 0; r < Repeats; r++)
            {
                var drafts = Batch(size);
                times.Add(await TimeAsync(() => log.AppendAsync($"fresh{size}-{r}", drafts, CancellationToken.None)));
            }

            // A new channel's first append also writes the epoch row; 49 events with their markers fill one transaction.
            var transactions = (size + 48) / 49;
            var median = Median(times);
            Console.WriteLine(string.Create(c, $"| {size} | {transactions} | {size * 2 + transactions + 1} | {median:0.0} | {median / size:0.00} |"));
        }

        Console.WriteLine();
        Console.WriteLine($"One hot channel grown to {GrowTo} events in appends of {IngestBatch} (rows in its partition ~ 2 x events):");
        Console.WriteLine();
        Console.WriteLine("| events in the channel | append of 100 ms (median of the last stretch) | events/s |");
        Console.WriteLine("|---:|---:|---:|");
        var stretch = new List<double>();
        for (var events = IngestBatch; events <= GrowTo; events += IngestBatch)
        {
            var drafts = Batch(IngestBatch);
            stretch.Add(await TimeAsync(() => log.AppendAsync("hot", drafts, CancellationToken.None)));
            if (events % ReportEvery == 0)
            {
                var median = Median(stretch);
                Console.WriteLine(string.Create(c, $"| {events} | {median:0.0} | {IngestBatch * 1000 / median:0} |"));
                stretch.Clear();
            }
        }
    }

    private static async Task<double> TimeAsync(Func<Task> append)
    {
        var start = Stopwatch.GetTimestamp();
        await append();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
