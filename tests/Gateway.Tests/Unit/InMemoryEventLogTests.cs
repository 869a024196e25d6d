using System.Text;
using Gateway.Core.Events;
using Gateway.Core.Log;
using Gateway.Core.Options;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Unit;

public sealed class InMemoryEventLogTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Concurrent_appenders_get_contiguous_offsets_and_each_batch_stays_in_order()
    {
        var log = CreateLog();
        const int writers = 8;
        const int batchesPerWriter = 100;

        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = new List<AppendResult>();
            for (var b = 0; b < batchesPerWriter; b++)
            {
                var size = 1 + (b % 3);
                var drafts = Enumerable.Range(0, size).Select(i => Draft($"w{w}-b{b}-{i}")).ToList();
                mine.Add(await log.AppendAsync("c", drafts, CancellationToken.None));
            }

            return mine;
        })));

        var appended = results.SelectMany(r => r).ToList();
        var total = appended.Sum(r => r.Appended.Count);
        Assert.Equal(writers * Enumerable.Range(0, batchesPerWriter).Sum(b => 1 + (b % 3)), total);

        // Every batch got a contiguous run of offsets, and the runs together are exactly 1..total.
        foreach (var r in appended)
        {
            var offsets = r.Appended.Select(e => e.Offset).ToList();
            Assert.Equal(Enumerable.Range((int)offsets[0], offsets.Count).Select(i => (long)i), offsets);
        }

        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), appended.SelectMany(r => r.Appended).Select(e => e.Offset).Order());

        var read = await ReadAll(log, "c", 0);
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), read.Select(e => e.Offset));
        Assert.Equal(total, (await log.GetHeadAsync("c", CancellationToken.None)).Offset);
    }

    [Fact]
    public async Task A_source_id_is_appended_once_across_batches()
    {
        var log = CreateLog();
        var first = await log.AppendAsync("c", [Draft("x", "a"), Draft("y", "b")], CancellationToken.None);
        var again = await log.AppendAsync("c", [Draft("y again", "b"), Draft("z", "c")], CancellationToken.None);

        Assert.Equal([1L, 2L], first.Appended.Select(e => e.Offset));
        Assert.Empty(first.Duplicates);
        Assert.Equal([new AppendedBefore("b", 2)], again.Duplicates);
        var z = Assert.Single(again.Appended);
        Assert.Equal(3, z.Offset);
        Assert.Equal("z", Encoding.UTF8.GetString(z.Data.Span));
    }

    [Fact]
    public async Task A_source_id_twice_in_one_batch_is_appended_once()
    {
        var log = CreateLog();
        var result = await log.AppendAsync("c", [Draft("first", "s"), Draft("second", "s"), Draft("no id")], CancellationToken.None);

        Assert.Equal([1L, 2L], result.Appended.Select(e => e.Offset));
        Assert.Equal("first", Encoding.UTF8.GetString(result.Appended[0].Data.Span));
        Assert.Equal([new AppendedBefore("s", 1)], result.Duplicates);
    }

    [Fact]
    public async Task Drafts_without_a_source_id_are_never_deduplicated()
    {
        var log = CreateLog();
        var result = await log.AppendAsync("c", [Draft("same"), Draft("same")], CancellationToken.None);

        Assert.Equal(2, result.Appended.Count);
        Assert.Empty(result.Duplicates);
    }

    [Fact]
    public async Task ReadAfter_pages_through_many_events_in_order()
    {
        var log = CreateLog();
        for (var i = 0; i < 10; i++)
        {
            await log.AppendAsync("c", Enumerable.Range(0, 100).Select(j => Draft($"{(i * 100) + j + 1}")).ToList(), CancellationToken.None);
        }

        var all = await ReadAll(log, "c", 0);
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), all.Select(e => e.Offset));
        Assert.All(all, e => Assert.Equal(e.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(e.Data.Span)));

        var tail = await ReadAll(log, "c", 700);
        Assert.Equal(Enumerable.Range(701, 300).Select(i => (long)i), tail.Select(e => e.Offset));
        Assert.Empty(await ReadAll(log, "c", 1000));
        Assert.Empty(await ReadAll(log, "unknown", 0));
    }

    [Fact]
    public async Task ReadAfter_stops_when_cancelled()
    {
        var log = CreateLog();
        await log.AppendAsync("c", Enumerable.Range(0, 600).Select(i => Draft("x")).ToList(), CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var read = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in log.ReadAfterAsync("c", 0, cts.Token))
            {
                if (++read == 10)
                {
                    await cts.CancelAsync();
                }
            }
        });
        Assert.True(read < 600);
    }

    [Fact]
    public async Task Retention_by_count_keeps_the_newest_events()
    {
        var log = CreateLog(r => r.MaxEventsPerChannel = 100);
        for (var i = 0; i < 250; i++)
        {
            await log.AppendAsync("c", [Draft("x")], CancellationToken.None);
        }

        await log.ApplyRetentionAsync(CancellationToken.None);

        var kept = await ReadAll(log, "c", 0);
        Assert.Equal(Enumerable.Range(151, 100).Select(i => (long)i), kept.Select(e => e.Offset));
        Assert.Equal(250, (await log.GetHeadAsync("c", CancellationToken.None)).Offset);
    }

    [Fact]
    public async Task Retention_by_age_removes_old_events_and_keeps_the_head()
    {
        var log = CreateLog(r => r.MaxAge = TimeSpan.FromHours(1));
        await log.AppendAsync("c", Enumerable.Range(0, 10).Select(_ => Draft("old")).ToList(), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(90));
        await log.AppendAsync("c", Enumerable.Range(0, 5).Select(_ => Draft("new")).ToList(), CancellationToken.None);

        var removed = await log.ApplyRetentionAsync(CancellationToken.None);

        Assert.Equal(10, removed);
        var kept = await ReadAll(log, "c", 0);
        Assert.Equal(Enumerable.Range(11, 5).Select(i => (long)i), kept.Select(e => e.Offset));
        var head = await log.GetHeadAsync("c", CancellationToken.None);
        Assert.Equal(15, head.Offset);

        // Offsets continue after the head, never reused after pruning.
        var next = await log.AppendAsync("c", [Draft("next")], CancellationToken.None);
        Assert.Equal(16, Assert.Single(next.Appended).Offset);
        Assert.Equal(head.Epoch, next.Epoch);
    }

    [Fact]
    public async Task A_pruned_source_id_no_longer_counts_as_a_duplicate()
    {
        var log = CreateLog(r => r.MaxAge = TimeSpan.FromHours(1));
        await log.AppendAsync("c", [Draft("x", "s1")], CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(2));
        await log.ApplyRetentionAsync(CancellationToken.None);

        var again = await log.AppendAsync("c", [Draft("x", "s1")], CancellationToken.None);

        // The channel had no event left, so retention dropped it: the source id lands in the channel's next log.
        Assert.Empty(again.Duplicates);
        Assert.Equal(1, Assert.Single(again.Appended).Offset);
    }

    [Fact]
    public async Task Past_max_channels_the_least_recently_written_is_evicted_and_comes_back_with_a_new_epoch()
    {
        var log = CreateLog(configureMemory: m => m.MaxChannels = 2);
        var a = await log.AppendAsync("a", [Draft("1")], CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        var oldB = await log.AppendAsync("b", [Draft("1")], CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        await log.AppendAsync("a", [Draft("2")], CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));

        await log.AppendAsync("c", [Draft("1")], CancellationToken.None);

        Assert.False((await log.GetHeadAsync("b", CancellationToken.None)).Exists);
        Assert.Equal(new LogHead(a.Epoch, 2), await log.GetHeadAsync("a", CancellationToken.None));

        var b = await log.AppendAsync("b", [Draft("again")], CancellationToken.None);
        Assert.Equal(1, Assert.Single(b.Appended).Offset);
        Assert.NotEqual(oldB.Epoch, b.Epoch);
        Assert.True(EventPosition.IsValidEpoch(b.Epoch));
    }

    [Fact]
    public async Task A_channel_without_a_log_has_an_empty_head()
    {
        var log = CreateLog();

        var head = await log.GetHeadAsync("nothing", CancellationToken.None);

        Assert.Equal(LogHead.Empty, head);
        Assert.False(head.Exists);
    }

    private InMemoryEventLog CreateLog(Action<RetentionOptions>? configureRetention = null, Action<InMemoryOptions>? configureMemory = null)
    {
        var memory = new InMemoryOptions();
        configureMemory?.Invoke(memory);
        return new InMemoryEventLog(_time, TestOptions.Monitor(configureRetention), Microsoft.Extensions.Options.Options.Create(memory));
    }

    private static EventDraft Draft(string data, string? sourceId = null) => new(null, Encoding.UTF8.GetBytes(data), sourceId);

    private static async Task<List<ChannelEvent>> ReadAll(InMemoryEventLog log, string channel, long after)
    {
        var events = new List<ChannelEvent>();
        await foreach (var e in log.ReadAfterAsync(channel, after, CancellationToken.None))
        {
            events.Add(e);
        }

        return events;
    }
}
