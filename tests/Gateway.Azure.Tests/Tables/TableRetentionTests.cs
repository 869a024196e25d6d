using System.Text;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Gateway.Azure.Tests.Azurite;
using Gateway.Core.Events;
using Gateway.Core.Log;
using Gateway.Core.Options;
using Gateway.Testing;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Azure.Tests.Tables;

/// <summary>
/// Retention over many channels on Azurite (issue 11): budget-limited runs that continue where the last one stopped,
/// channels whose events all expired losing every row, and writers racing with a channel's removal losing nothing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableRetentionTests(AzuriteFixture azurite) : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly string _tableName = TableLogSettings.NewTableName();
    private readonly List<TableLogInstance> _instances = [];

    [Fact]
    public async Task Budget_limited_runs_continue_where_the_last_stopped_and_expired_channels_lose_every_row()
    {
        var log = Open(r => r.MaxChannelsPerRun = 50);
        var channels = Enumerable.Range(0, 300).Select(i => $"ch{i:D3}").ToArray();
        await Parallel.ForEachAsync(channels, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Waits.ForTest() }, async (channel, cancel) =>
            await log.Log.AppendAsync(channel, [Draft("old", $"{channel}-1")], cancel));
        _time.Advance(TimeSpan.FromHours(2));
        var fresh = channels.Where((_, i) => i % 10 == 0).ToArray();
        foreach (var channel in fresh)
        {
            await log.Log.AppendAsync(channel, [Draft("fresh", $"{channel}-2")], Waits.ForTest());
        }

        var first = await log.Log.RunRetentionAsync(Waits.ForTest());

        // The first run visited the first 50 channels of the index (in name order) and stopped there.
        Assert.Equal(new RetentionRunResult(50, 50, 45, PassCompleted: false), first);
        Assert.False((await log.Log.GetHeadAsync("ch049", Waits.ForTest())).Exists);
        Assert.True((await log.Log.GetHeadAsync("ch051", Waits.ForTest())).Exists);

        var runs = new List<RetentionRunResult> { first };
        while (!runs[^1].PassCompleted)
        {
            Assert.True(runs.Count < 10, "retention never completed its pass");
            runs.Add(await log.Log.RunRetentionAsync(Waits.ForTest()));
        }

        // Each later run took the next 50: every channel was visited exactly once over six runs.
        Assert.Equal(6, runs.Count);
        Assert.All(runs, r => Assert.Equal((50, 45), (r.ChannelsVisited, r.ChannelsRemoved)));
        Assert.Equal(300, runs.Sum(r => r.EventsRemoved));

        // What is left is exactly the fresh channels' rows: index, epoch, head, the fresh event and its marker.
        var rows = await AllRowsAsync(log.Table);
        Assert.Equal(fresh.Length * 5, rows.Count);
        Assert.Equal(fresh.Order(StringComparer.Ordinal), rows.Where(r => r.PartitionKey == "!channels").Select(r => r.RowKey));
        Assert.All(fresh, channel => Assert.Equal(
            ["!epoch", "!head", "e:0000000000000000002", $"m:{channel}-2"],
            rows.Where(r => r.PartitionKey == channel).Select(r => r.RowKey)));

        // A pass over what is left removes nothing more and starts from the first channel again.
        Assert.Equal(new RetentionRunResult(0, 30, 0, PassCompleted: true), await log.Log.RunRetentionAsync(Waits.ForTest()));
    }

    [Fact]
    public async Task The_time_budget_stops_a_run_and_the_next_continues()
    {
        // Each channel's visit (one query over its partition) takes "one second" of the fake clock. Channels are
        // visited 8 at a time and the budget is checked between those chunks, so a 10-second budget stops a run after
        // two chunks (16 channels).
        var ticking = new ClockTickHook(RequestHook.ChannelQuery, () => _time.Advance(TimeSpan.FromSeconds(1)));
        var log = Open(r => r.MaxRunDuration = TimeSpan.FromSeconds(10), ticking);
        foreach (var i in Enumerable.Range(0, 25))
        {
            await log.Log.AppendAsync($"t{i:D2}", [Draft("x")], Waits.ForTest());
        }

        _time.Advance(TimeSpan.FromHours(2));
        ticking.Enabled = true;

        var runs = new[] { await log.Log.RunRetentionAsync(Waits.ForTest()), await log.Log.RunRetentionAsync(Waits.ForTest()) };

        Assert.Equal([(16, false), (9, true)], runs.Select(r => (r.ChannelsVisited, r.PassCompleted)));
        Assert.Equal(25, runs.Sum(r => r.ChannelsRemoved));
        Assert.Empty(await AllRowsAsync(log.Table));
    }

    [Fact]
    public async Task A_channel_written_after_retention_read_its_head_keeps_its_events()
    {
        var writer = Open(_ => { });
        var old = await writer.Log.AppendAsync("busy", [Draft("old")], Waits.ForTest());
        _time.Advance(TimeSpan.FromHours(2));
        AppendResult? raced = null;

        // Just before retention deletes the head of the emptied channel, another instance appends to it.
        var hook = new RequestHook(RequestHook.Row("DELETE", "!head"), async () => raced = await writer.Log.AppendAsync("busy", [Draft("new")], Waits.ForTest()));
        var retention = Open(_ => { }, hook);

        var run = await retention.Log.RunRetentionAsync(Waits.ForTest());

        Assert.True(hook.Fired);
        Assert.Equal((1L, 0), (run.EventsRemoved, run.ChannelsRemoved));
        Assert.Equal(old.Epoch, raced!.Epoch);
        Assert.Equal(new LogHead(old.Epoch, 2), await writer.Log.GetHeadAsync("busy", Waits.ForTest()));
        Assert.Equal([(old.Epoch, 2L, "new")], await ReadAsync(writer, "busy"));
        Assert.Contains(await AllRowsAsync(writer.Table), r => r.PartitionKey == "!channels" && r.RowKey == "busy");
    }

    [Fact]
    public async Task An_append_that_read_the_head_before_the_channel_was_removed_goes_to_the_next_log()
    {
        var retention = Open(_ => { });
        var old = await retention.Log.AppendAsync("late", [Draft("old")], Waits.ForTest());
        _time.Advance(TimeSpan.FromHours(2));
        RetentionRunResult? run = null;

        // The writer has read the head (epoch, offset 1); before its transaction is sent, retention removes the channel.
        var hook = new RequestHook(RequestHook.Batch, async () => run = await retention.Log.RunRetentionAsync(Waits.ForTest()));
        var writer = Open(_ => { }, hook);

        var appended = await writer.Log.AppendAsync("late", [Draft("new")], Waits.ForTest());

        Assert.Equal((1L, 1), (run!.EventsRemoved, run.ChannelsRemoved));

        // Not written under the removed log's epoch after its place: the channel's next log, from offset 1.
        Assert.NotEqual(old.Epoch, appended.Epoch);
        Assert.Equal(1, Assert.Single(appended.Appended).Offset);
        Assert.Equal(new LogHead(appended.Epoch, 1), await retention.Log.GetHeadAsync("late", Waits.ForTest()));
        Assert.Equal([(appended.Epoch, 1L, "new")], await ReadAsync(retention, "late"));

        // Still listed, so later runs still see it, and the fresh event is kept.
        var rows = await AllRowsAsync(retention.Table);
        Assert.Contains(rows, r => r.PartitionKey == "!channels" && r.RowKey == "late");
        Assert.Equal(appended.Epoch, rows.Single(r => r.PartitionKey == "late" && r.RowKey == "!epoch").GetString("Epoch"));
        var later = await retention.Log.RunRetentionAsync(Waits.ForTest());
        Assert.Equal((0L, 0), (later.EventsRemoved, later.ChannelsRemoved));
    }

    [Fact]
    public async Task A_channel_of_many_expired_events_loses_every_row_and_a_live_one_keeps_exactly_its_fresh_events()
    {
        var log = Open(_ => { });

        // More events and markers than one delete transaction (100 rows) holds, so the deletions go in several.
        await log.Log.AppendAsync("many", [.. Enumerable.Range(1, 250).Select(i => Draft("old", $"many-{i}"))], Waits.ForTest());
        await log.Log.AppendAsync("mixed", [.. Enumerable.Range(1, 150).Select(i => Draft("old", $"mixed-{i}"))], Waits.ForTest());
        _time.Advance(TimeSpan.FromHours(2));
        var fresh = await log.Log.AppendAsync("mixed", [Draft("fresh", "mixed-151"), Draft("fresh", "mixed-152")], Waits.ForTest());

        var run = await log.Log.RunRetentionAsync(Waits.ForTest());

        Assert.Equal(new RetentionRunResult(400, 2, 1, PassCompleted: true), run);
        var rows = await AllRowsAsync(log.Table);
        Assert.Equal(["mixed"], rows.Where(r => r.PartitionKey == "!channels").Select(r => r.RowKey));
        Assert.DoesNotContain(rows, r => r.PartitionKey == "many");
        Assert.Equal(
            ["!epoch", "!head", "e:0000000000000000151", "e:0000000000000000152", "m:mixed-151", "m:mixed-152"],
            rows.Where(r => r.PartitionKey == "mixed").Select(r => r.RowKey));
        Assert.Equal([(fresh.Epoch, 151L, "fresh"), (fresh.Epoch, 152L, "fresh")], await ReadAsync(log, "mixed"));

        // The fresh events' markers still guard them: a redelivery is not appended again.
        var again = await log.Log.AppendAsync("mixed", [Draft("fresh", "mixed-152")], Waits.ForTest());
        Assert.Equal([new AppendedBefore("mixed-152", 152)], again.Duplicates);
    }

    [Fact]
    public async Task A_source_message_appended_while_retention_empties_the_channel_keeps_its_event_and_marker()
    {
        var writer = Open(_ => { });
        var old = await writer.Log.AppendAsync("racy", [Draft("old", "racy-1")], Waits.ForTest());
        _time.Advance(TimeSpan.FromHours(2));

        // Retention has read the partition (head at offset 1); before it deletes the expired event and its marker,
        // another instance appends a new source message: a new event and a marker above the head it read.
        var hook = new RequestHook(RequestHook.Batch, async () => await writer.Log.AppendAsync("racy", [Draft("new", "racy-2")], Waits.ForTest()));
        var retention = Open(_ => { }, hook);

        var run = await retention.Log.RunRetentionAsync(Waits.ForTest());

        Assert.True(hook.Fired);
        Assert.Equal((1L, 0), (run.EventsRemoved, run.ChannelsRemoved));
        Assert.Equal([(old.Epoch, 2L, "new")], await ReadAsync(writer, "racy"));
        var rows = await AllRowsAsync(writer.Table);
        Assert.Equal(["!epoch", "!head", "e:0000000000000000002", "m:racy-2"], rows.Where(r => r.PartitionKey == "racy").Select(r => r.RowKey));
        Assert.Contains(rows, r => r.PartitionKey == "!channels" && r.RowKey == "racy");
        var again = await writer.Log.AppendAsync("racy", [Draft("new", "racy-2")], Waits.ForTest());
        Assert.Equal([new AppendedBefore("racy-2", 2)], again.Duplicates);
    }

    public void Dispose()
    {
        foreach (var instance in _instances)
        {
            instance.Dispose();
        }
    }

    private TableLogInstance Open(Action<RetentionOptions> retention, HttpPipelinePolicy? hook = null)
    {
        var instance = new TableLogInstance(azurite.Azurite.ConnectionString, _tableName, _time, r =>
        {
            r.MaxAge = TimeSpan.FromHours(1);
            retention(r);
        }, hook);
        _instances.Add(instance);
        return instance;
    }

    private static EventDraft Draft(string data, string? sourceId = null) => new(null, Encoding.UTF8.GetBytes(data), sourceId);

    private static async Task<List<(string? Epoch, long Offset, string Data)>> ReadAsync(TableLogInstance log, string channel)
    {
        var events = new List<(string?, long, string)>();
        await foreach (var e in log.Log.ReadAfterAsync(channel, 0, Waits.ForTest()))
        {
            events.Add((e.Epoch, e.Offset, Encoding.UTF8.GetString(e.Data.Span)));
        }

        return events;
    }

    private static async Task<List<TableEntity>> AllRowsAsync(TableClient table)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: Waits.ForTest()))
        {
            rows.Add(row);
        }

        return rows;
    }
}
