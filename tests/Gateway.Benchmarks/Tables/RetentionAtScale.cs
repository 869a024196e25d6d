using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Gateway.Azure.Tables;
using Gateway.Core.Log;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Benchmarks.Tables;

/// <summary>
/// Retention over many channels on Azurite (issue 11): seeds <c>--channels</c> channels (100,000 by default) with one
/// event each, nine in ten older than <c>MaxAge</c>, then runs retention as the Functions timer would, run after run
/// with the run budget <c>--max-run</c> (a time span, default 00:04:00) and optionally <c>--max-channels</c>, until a
/// pass completes; prints each run. A second pass over what is left shows the steady cost per channel.
/// Seeding writes the log's rows directly (one transaction per channel: epoch, event, head; index rows 100 per
/// transaction), the layout <see cref="TableEventLog"/> writes, because appending through the log costs four requests
/// per new channel. Started with <see cref="Switch"/>.
/// </summary>
internal static class RetentionAtScale
{
    public const string Switch = "--retention-at-scale";

    public static async Task RunAsync(string[] args)
    {
        var channels = Option(args, "--channels", 100_000, int.Parse);
        var maxRun = Option(args, "--max-run", TimeSpan.FromMinutes(4), s => TimeSpan.Parse(s, CultureInfo.InvariantCulture));
        var maxChannels = Option(args, "--max-channels", 0, int.Parse);
        var tableName = TableLogSettings.NewTableName();

        await using var azurite = await AzuriteProcess.StartAsync();
        var table = new TableClient(azurite.ConnectionString, tableName);
        await table.CreateAsync();

        var seed = Stopwatch.StartNew();
        await SeedAsync(table, channels);
        Console.WriteLine($"Seeded {channels:N0} channels (one event each, 90% expired) in {seed.Elapsed.TotalSeconds:F1} s");

        var settings = TableLogSettings.For(azurite.ConnectionString, tableName);
        settings["Gateway:Retention:MaxRunDuration"] = maxRun.ToString();
        settings["Gateway:Retention:MaxChannelsPerRun"] = maxChannels.ToString(CultureInfo.InvariantCulture);
        await using var services = GatewayServices.Build(settings);
        var log = services.GetRequiredService<TableEventLog>();

        Console.WriteLine($"Retention, budget per run: {maxRun} and {(maxChannels == 0 ? "no channel limit" : $"{maxChannels:N0} channels")}");
        for (var pass = 1; pass <= 2; pass++)
        {
            var total = Stopwatch.StartNew();
            var run = 0;
            RetentionRunResult result;
            do
            {
                var watch = Stopwatch.StartNew();
                result = await log.RunRetentionAsync(CancellationToken.None);
                run++;
                Console.WriteLine(
                    $"  pass {pass} run {run}: {watch.Elapsed.TotalSeconds,7:F1} s, {result.ChannelsVisited,7:N0} channels visited, "
                    + $"{result.ChannelsRemoved,7:N0} removed, {result.EventsRemoved,7:N0} events removed, pass completed: {result.PassCompleted}");
            }
            while (!result.PassCompleted);

            Console.WriteLine($"  pass {pass}: {run} run(s), {total.Elapsed.TotalSeconds:F1} s");
        }

        var left = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["RowKey"]))
        {
            left++;
        }

        Console.WriteLine($"Rows left: {left:N0} (expected {channels / 10 * 4:N0}: index, epoch, head and event of each fresh channel)");
    }

    // Upserts, not inserts: under load the SDK may re-send a transaction whose reply was lost, and an insert would then fail.
    private static async Task SeedAsync(TableClient table, int channels)
    {
        var seeded = 0;
        var now = DateTimeOffset.UtcNow;
        var names = Enumerable.Range(0, channels).Select(i => $"ch{i:D7}").ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, channels), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, cancel) =>
        {
            var channel = names[i];
            var epoch = $"seed{i % 1000:D4}";
            var time = i % 10 == 0 ? now : now - TimeSpan.FromDays(2);
            await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(channel, "!epoch") { ["Epoch"] = epoch }),
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(channel, "e:0000000000000000001")
                {
                    ["Epoch"] = epoch,
                    ["Data"] = "{\"seeded\":true}"u8.ToArray(),
                    ["Time"] = time,
                }),
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(channel, "!head") { ["Epoch"] = epoch, ["Offset"] = 1L }),
            ], cancel);
            if (Interlocked.Increment(ref seeded) % 10_000 == 0)
            {
                Console.WriteLine($"  seeded {seeded:N0} channels");
            }
        });
        await Parallel.ForEachAsync(names.Chunk(100), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (chunk, cancel) =>
            await table.SubmitTransactionAsync(chunk.Select(c => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("!channels", c))), cancel));
    }

    private static T Option<T>(string[] args, string name, T fallback, Func<string, T> parse)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? parse(args[i + 1]) : fallback;
    }
}
