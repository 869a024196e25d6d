using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Gateway.Azure.Tables;
using Gateway.Core.Events;
using Gateway.Core.Log;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Benchmarks.Tables;

/// <summary>
/// Retention over many channels on Azurite (issue 11). Seeds <c>--channels</c> channels (100,000 by default) with
/// <see cref="TableLogSeeder"/> (the append path's own rows, written fast): nine in ten "expired" (one event with
/// its dedupe marker, two days old), one in ten "live" (one such old event, then a fresh one). Then runs retention
/// as the Functions timer would, run after run with the budget <c>--max-run</c> (default 00:04:00, within the timer's
/// 5-minute schedule) and optionally <c>--max-channels</c>, until a pass completes, printing each run; a second
/// pass shows the steady cost of channels with nothing to remove. Finally it counts the rows left: none may be an
/// expired channel's, and each live channel must hold exactly its fresh event, its marker, epoch, head and
/// index row. Started with <see cref="Switch"/>; prints figures, asserts nothing but the row check.
/// </summary>
internal static class RetentionAtScale
{
    public const string Switch = "--retention-at-scale";

    private const int LiveEvery = 10;

    // The log's layout (TableRowKeys, internal to the log): the partition that lists every channel.
    private const string IndexPartition = "!channels";
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("{\"seeded\":true}");

    public static async Task RunAsync(string[] args)
    {
        var count = Option(args, "--channels", 100_000, int.Parse);
        var maxRun = Option(args, "--max-run", TimeSpan.FromMinutes(4), s => TimeSpan.Parse(s, CultureInfo.InvariantCulture));
        var maxChannels = Option(args, "--max-channels", 0, int.Parse);
        var tableName = TableLogSettings.NewTableName();

        await using var azurite = await AzuriteProcess.StartAsync();
        var table = new TableClient(azurite.ConnectionString, tableName);
        await table.CreateAsync();

        var now = DateTimeOffset.UtcNow;
        var channels = Enumerable.Range(0, count).Select(i => Channel(i, now)).ToArray();
        var seed = Stopwatch.StartNew();
        await new TableLogSeeder(table).SeedAsync(channels, done => Console.WriteLine($"  {done} ({seed.Elapsed.TotalSeconds:F0} s)"));
        var live = channels.Count(c => c.Appends.Count > 1);
        Console.WriteLine($"Seeded {count:N0} channels ({count - live:N0} expired, {live:N0} live) in {seed.Elapsed.TotalSeconds:F1} s; load average {LoadAverage()}");

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
            var longest = TimeSpan.Zero;
            RetentionRunResult result;
            do
            {
                var watch = Stopwatch.StartNew();
                result = await log.RunRetentionAsync(CancellationToken.None);
                run++;
                longest = watch.Elapsed > longest ? watch.Elapsed : longest;
                Console.WriteLine(
                    $"  pass {pass} run {run}: {watch.Elapsed.TotalSeconds,7:F1} s, {result.ChannelsVisited,7:N0} channels visited "
                    + $"({result.ChannelsVisited / watch.Elapsed.TotalSeconds,6:F0}/s), {result.ChannelsRemoved,7:N0} removed, "
                    + $"{result.EventsRemoved,7:N0} events removed, pass completed: {result.PassCompleted}; load average {LoadAverage()}");
            }
            while (!result.PassCompleted);

            Console.WriteLine($"  pass {pass}: {run} run(s), {total.Elapsed.TotalSeconds:F1} s, longest run {longest.TotalSeconds:F1} s (budget {maxRun.TotalSeconds:F0} s)");
        }

        await CheckRowsAsync(table, channels);
    }

    /// <summary>Channel i: live (every tenth) or expired, named so index order interleaves the two.</summary>
    private static SeedChannel Channel(int i, DateTimeOffset now)
    {
        var name = $"ch{i:D7}";
        var old = new SeedAppend(now - TimeSpan.FromDays(2), [Draft(name, 1)]);
        return i % LiveEvery == 0 ? new SeedChannel(name, [old, new SeedAppend(now, [Draft(name, 2)])]) : new SeedChannel(name, [old]);
    }

    private static EventDraft Draft(string channel, int n) => new("seeded", Payload, $"{channel}-{n}");

    private static async Task CheckRowsAsync(TableClient table, SeedChannel[] channels)
    {
        var rows = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
        {
            var partition = row.PartitionKey == IndexPartition ? row.RowKey : row.PartitionKey;
            var key = row.PartitionKey == IndexPartition ? "index" : row.RowKey;
            if (!rows.TryGetValue(partition, out var keys))
            {
                rows[partition] = keys = [];
            }

            keys.Add(key);
        }

        var expiredLeft = channels.Where(c => c.Appends.Count == 1).Sum(c => rows.GetValueOrDefault(c.Name)?.Count ?? 0);
        var liveWrong = channels.Where(c => c.Appends.Count > 1).Count(c =>
            !(rows.GetValueOrDefault(c.Name) ?? []).Order(StringComparer.Ordinal).SequenceEqual(
                ["!epoch", "!head", "e:0000000000000000002", "index", $"m:{c.Name}-2"]));
        var live = channels.Count(c => c.Appends.Count > 1);
        Console.WriteLine($"Rows left: {rows.Values.Sum(r => r.Count):N0} (expected {live * 5:N0}: 5 per live channel); "
            + $"rows of expired channels left: {expiredLeft:N0} (expected 0); live channels not exactly as expected: {liveWrong:N0} (expected 0)");
        if (expiredLeft != 0 || liveWrong != 0)
        {
            Environment.ExitCode = 1;
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static T Option<T>(string[] args, string name, T fallback, Func<string, T> parse)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? parse(args[i + 1]) : fallback;
    }
}
