using System.Text;
using Gateway.Core.Events;
using Gateway.Core.Log;
using Gateway.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Azure.Tests.Contract;

/// <summary>
/// What every <see cref="IEventLog"/> must do, run against each implementation (one subclass per log), so the
/// in-memory log and the Table log behave the same.
/// </summary>
public abstract class EventLogContractTests
{
    private const string Channel = "orders";

    protected abstract Task<LogUnderTest> OpenAsync(LogSettings settings);

    [Fact]
    public async Task A_channel_without_a_log_has_an_empty_head_and_no_events()
    {
        await using var store = await OpenAsync(new LogSettings());
        var head = await store.Log.GetHeadAsync("nobody-wrote-here", Waits.ForTest());
        Assert.False(head.Exists);
        Assert.Equal(0, head.Offset);
        Assert.Empty(await ReadAllAsync(store.Log, "nobody-wrote-here", 0));
    }

    [Fact]
    public async Task Appends_get_contiguous_offsets_and_events_round_trip()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        await using var store = await OpenAsync(new LogSettings(Time: time));
        var large = Encoding.UTF8.GetBytes(new string('x', 64 * 1024));
        var first = await store.Log.AppendAsync(Channel, [new EventDraft("created", "{\"id\":1}"u8.ToArray()), new EventDraft(null, "é😀\nline"u8.ToArray())], Waits.ForTest());
        time.Advance(TimeSpan.FromSeconds(5));
        var second = await store.Log.AppendAsync(Channel, [new EventDraft("big", large)], Waits.ForTest());

        Assert.True(EventPosition.IsValidEpoch(first.Epoch));
        Assert.Equal(first.Epoch, second.Epoch);
        Assert.Equal([1L, 2L], first.Appended.Select(e => e.Offset));
        Assert.Equal(3, Assert.Single(second.Appended).Offset);
        Assert.Equal(new LogHead(first.Epoch, 3), await store.Log.GetHeadAsync(Channel, Waits.ForTest()));

        var events = await ReadAllAsync(store.Log, Channel, 0);
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Offset));
        Assert.All(events, e => Assert.Equal(first.Epoch, e.Epoch));
        Assert.All(events, e => Assert.Equal(Channel, e.Channel));
        Assert.Equal(["created", null, "big"], events.Select(e => e.EventName));
        Assert.Equal("{\"id\":1}", Encoding.UTF8.GetString(events[0].Data.Span));
        Assert.Equal("é😀\nline", Encoding.UTF8.GetString(events[1].Data.Span));
        Assert.True(events[2].Data.Span.SequenceEqual(large));
        Assert.Equal(time.GetUtcNow() - TimeSpan.FromSeconds(5), events[0].Time);
        Assert.Equal(time.GetUtcNow(), events[2].Time);
    }

    [Fact]
    public async Task An_empty_append_creates_the_log_with_an_epoch()
    {
        await using var store = await OpenAsync(new LogSettings());
        var result = await store.Log.AppendAsync(Channel, [], Waits.ForTest());
        Assert.Empty(result.Appended);
        Assert.Equal(new LogHead(result.Epoch, 0), await store.Log.GetHeadAsync(Channel, Waits.ForTest()));
    }

    [Fact]
    public async Task Four_concurrent_appenders_write_2000_events_with_contiguous_unique_offsets()
    {
        await using var store = await OpenAsync(new LogSettings());
        var cancel = Waits.ForTest();
        const int Writers = 4, PerWriter = 500;
        var appenders = Enumerable.Range(0, Writers).Select(w => (Writer: w, Log: store.OpenWriter())).ToList();
        await Task.WhenAll(appenders.Select(a => Task.Run(async () =>
        {
            // Batches of varied sizes, so writers race on different offset ranges.
            var sent = 0;
            for (var batch = 1; sent < PerWriter; batch = batch % 37 + 1)
            {
                var size = Math.Min(batch, PerWriter - sent);
                var drafts = Enumerable.Range(sent, size).Select(i => new EventDraft("w", Encoding.UTF8.GetBytes($"{a.Writer}:{i}"))).ToList();
                var result = await a.Log.AppendAsync(Channel, drafts, cancel);
                Assert.Equal(size, result.Appended.Count);
                sent += size;
            }
        })));

        var events = await ReadAllAsync(store.Log, Channel, 0);
        Assert.Equal(Enumerable.Range(1, Writers * PerWriter).Select(i => (long)i), events.Select(e => e.Offset));
        var payloads = events.Select(e => Encoding.UTF8.GetString(e.Data.Span)).ToList();
        Assert.Equal(Writers * PerWriter, payloads.Distinct().Count());
        for (var w = 0; w < Writers; w++)
        {
            // Each writer's events are all there, in the order it appended them.
            var mine = payloads.Where(p => p.StartsWith($"{w}:", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, PerWriter).Select(i => $"{w}:{i}"), mine);
        }

        Assert.Equal(Writers * PerWriter, (await store.Log.GetHeadAsync(Channel, cancel)).Offset);
    }

    [Fact]
    public async Task A_redelivered_source_message_is_stored_once_and_reported_with_its_first_offset()
    {
        await using var store = await OpenAsync(new LogSettings());
        var first = await store.Log.AppendAsync(Channel, [Draft("a"), Draft("b"), Draft("c")], Waits.ForTest());
        var again = await store.Log.AppendAsync(Channel, [Draft("b"), Draft("d"), Draft("c")], Waits.ForTest());

        Assert.Equal([1L, 2L, 3L], first.Appended.Select(e => e.Offset));
        Assert.Empty(first.Duplicates);
        Assert.Equal([4L], again.Appended.Select(e => e.Offset));
        Assert.Equal("d", Encoding.UTF8.GetString(again.Appended[0].Data.Span));
        Assert.Equal([new AppendedBefore("b", 2), new AppendedBefore("c", 3)], again.Duplicates.OrderBy(d => d.SourceId));
        Assert.Equal(["a", "b", "c", "d"], (await ReadAllAsync(store.Log, Channel, 0)).Select(e => Encoding.UTF8.GetString(e.Data.Span)));
    }

    [Fact]
    public async Task The_same_source_id_twice_in_one_append_is_stored_once()
    {
        await using var store = await OpenAsync(new LogSettings());
        var result = await store.Log.AppendAsync(Channel, [Draft("x"), Draft("y"), Draft("x")], Waits.ForTest());
        Assert.Equal([1L, 2L], result.Appended.Select(e => e.Offset));
        Assert.Equal([new AppendedBefore("x", 1)], result.Duplicates);
    }

    [Fact]
    public async Task Source_ids_of_any_text_are_deduplicated()
    {
        await using var store = await OpenAsync(new LogSettings());
        string[] ids = ["queue/1#part?x=1", "back\\slash", "ünïcode-✓", new string('9', 400), "it's"];
        var first = await store.Log.AppendAsync(Channel, ids.Select(Draft).ToList(), Waits.ForTest());
        var again = await store.Log.AppendAsync(Channel, ids.Reverse().Select(Draft).ToList(), Waits.ForTest());
        Assert.Equal(5, first.Appended.Count);
        Assert.Empty(again.Appended);
        Assert.Equal(ids.Select((id, i) => new AppendedBefore(id, i + 1)).OrderBy(d => d.Offset), again.Duplicates.OrderBy(d => d.Offset));
    }

    [Fact]
    public async Task Concurrent_redeliveries_of_the_same_messages_are_stored_once()
    {
        await using var store = await OpenAsync(new LogSettings());
        var cancel = Waits.ForTest();
        var ids = Enumerable.Range(0, 30).Select(i => $"seq-{i}").ToList();
        var deliveries = Enumerable.Range(0, 6).Select(d => Task.Run(async () =>
        {
            // Every delivery carries the same messages, in batches that overlap differently.
            var log = store.OpenWriter();
            var results = new List<AppendResult>();
            foreach (var batch in ids.Chunk(d + 3))
            {
                results.Add(await log.AppendAsync(Channel, batch.Select(Draft).ToList(), cancel));
            }

            return results;
        })).ToList();
        var outcomes = (await Task.WhenAll(deliveries)).SelectMany(r => r).ToList();

        var events = await ReadAllAsync(store.Log, Channel, 0);
        Assert.Equal(Enumerable.Range(1, ids.Count).Select(i => (long)i), events.Select(e => e.Offset));
        Assert.Equal(ids.Order(StringComparer.Ordinal), events.Select(e => Encoding.UTF8.GetString(e.Data.Span)).Order(StringComparer.Ordinal));

        // Every duplicate names the offset where its message really is.
        var offsetOf = events.ToDictionary(e => Encoding.UTF8.GetString(e.Data.Span), e => e.Offset);
        Assert.All(outcomes.SelectMany(o => o.Duplicates), d => Assert.Equal(offsetOf[d.SourceId], d.Offset));
        Assert.Equal(ids.Count, outcomes.Sum(o => o.Appended.Count));
    }

    [Fact]
    public async Task Reads_page_through_5000_events_in_order_from_any_offset()
    {
        await using var store = await OpenAsync(new LogSettings());
        var cancel = Waits.ForTest();
        for (var batch = 0; batch < 20; batch++)
        {
            var drafts = Enumerable.Range(batch * 250, 250).Select(i => new EventDraft(null, Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToList();
            await store.Log.AppendAsync(Channel, drafts, cancel);
        }

        var all = await ReadAllAsync(store.Log, Channel, 0);
        Assert.Equal(Enumerable.Range(1, 5000).Select(i => (long)i), all.Select(e => e.Offset));
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), all.Select(e => Encoding.UTF8.GetString(e.Data.Span)));

        var tail = await ReadAllAsync(store.Log, Channel, 3999);
        Assert.Equal(Enumerable.Range(4000, 1001).Select(i => (long)i), tail.Select(e => e.Offset));
        Assert.Empty(await ReadAllAsync(store.Log, Channel, 5000));
        Assert.Empty(await ReadAllAsync(store.Log, Channel, 7000));

        // A reader may stop part-way through a page (a stream that caught up, or whose client left).
        long stoppedAt = 0;
        await foreach (var e in store.Log.ReadAfterAsync(Channel, 0, cancel))
        {
            stoppedAt = e.Offset;
            if (e.Offset == 1500)
            {
                break;
            }
        }

        Assert.Equal(1500, stoppedAt);
    }

    [Fact]
    public async Task Retention_by_count_keeps_the_newest_events_and_their_dedupe()
    {
        await using var store = await OpenAsync(new LogSettings(MaxEventsPerChannel: 10));
        var cancel = Waits.ForTest();
        for (var i = 0; i < 25; i += 5)
        {
            await store.Log.AppendAsync(Channel, Enumerable.Range(i, 5).Select(n => Draft($"m{n}")).ToList(), cancel);
        }

        await store.Log.ApplyRetentionAsync(cancel);

        Assert.Equal(Enumerable.Range(16, 10).Select(i => (long)i), (await ReadAllAsync(store.Log, Channel, 0)).Select(e => e.Offset));
        Assert.Equal(25, (await store.Log.GetHeadAsync(Channel, cancel)).Offset);
        var redelivered = await store.Log.AppendAsync(Channel, [Draft("m24")], cancel);
        Assert.Equal([new AppendedBefore("m24", 25)], redelivered.Duplicates);
        Assert.Equal(0, await store.Log.ApplyRetentionAsync(cancel));
    }

    [Fact]
    public async Task The_oldest_retained_offset_follows_appends_and_retention()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        await using var store = await OpenAsync(new LogSettings(MaxEventsPerChannel: 10, MaxAge: TimeSpan.FromHours(1), Time: time));
        var cancel = Waits.ForTest();
        Assert.Null(await store.Log.GetOldestOffsetAsync("nobody-wrote-here", cancel));

        await store.Log.AppendAsync(Channel, [], cancel);
        Assert.Null(await store.Log.GetOldestOffsetAsync(Channel, cancel));

        for (var i = 0; i < 25; i += 5)
        {
            await store.Log.AppendAsync(Channel, Enumerable.Range(i, 5).Select(n => Draft($"o{n}")).ToList(), cancel);
        }

        await store.Log.ApplyRetentionAsync(cancel);
        Assert.Equal(16, await store.Log.GetOldestOffsetAsync(Channel, cancel));
        Assert.Equal(16, (await ReadAllAsync(store.Log, Channel, 0))[0].Offset);

        // Everything expires: the channel's log goes with its events (retention drops empty expired channels), so
        // the next event starts a new log — a new epoch, offset 1 — and is the oldest again.
        var epochBefore = (await store.Log.GetHeadAsync(Channel, cancel)).Epoch;
        time.Advance(TimeSpan.FromHours(2));
        await store.Log.ApplyRetentionAsync(cancel);
        Assert.Null(await store.Log.GetOldestOffsetAsync(Channel, cancel));
        await store.Log.AppendAsync(Channel, [Draft("later")], cancel);
        Assert.Equal(1, await store.Log.GetOldestOffsetAsync(Channel, cancel));
        Assert.NotEqual(epochBefore, (await store.Log.GetHeadAsync(Channel, cancel)).Epoch);
    }

    [Fact]
    public async Task Retention_by_age_removes_old_events_and_offsets_continue_after_them()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        await using var store = await OpenAsync(new LogSettings(MaxAge: TimeSpan.FromHours(1), Time: time));
        var cancel = Waits.ForTest();
        var epoch = (await store.Log.AppendAsync(Channel, [Draft("old1"), Draft("old2"), Draft("old3")], cancel)).Epoch;
        time.Advance(TimeSpan.FromMinutes(50));
        await store.Log.AppendAsync(Channel, [Draft("new4"), Draft("new5")], cancel);
        time.Advance(TimeSpan.FromMinutes(20));

        Assert.Equal(3, await store.Log.ApplyRetentionAsync(cancel));
        Assert.Equal([4L, 5L], (await ReadAllAsync(store.Log, Channel, 0)).Select(e => e.Offset));

        // Everything expires: the channel itself is removed (issue 11), so channels nobody writes cost nothing. The
        // next write starts a new log with a new epoch, so an id from the old one is recognised as stale.
        time.Advance(TimeSpan.FromHours(2));
        var run = await store.Log.RunRetentionAsync(cancel);
        Assert.Equal((2L, 1), (run.EventsRemoved, run.ChannelsRemoved));
        Assert.Empty(await ReadAllAsync(store.Log, Channel, 0));
        Assert.Equal(LogHead.Empty, await store.Log.GetHeadAsync(Channel, cancel));
        var next = await store.Log.AppendAsync(Channel, [Draft("later")], cancel);
        Assert.NotEqual(epoch, next.Epoch);
        Assert.Equal(1, Assert.Single(next.Appended).Offset);
    }

    [Fact]
    public async Task Retention_removes_only_the_channels_with_no_event_left()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        await using var store = await OpenAsync(new LogSettings(MaxEventsPerChannel: 2, MaxAge: TimeSpan.FromHours(1), Time: time));
        var cancel = Waits.ForTest();
        await store.Log.AppendAsync("expired", [Draft("a"), Draft("b")], cancel);
        var trimmed = await store.Log.AppendAsync("trimmed", [Draft("a"), Draft("b"), Draft("c")], cancel);
        time.Advance(TimeSpan.FromHours(2));
        var fresh = await store.Log.AppendAsync("fresh", [Draft("a")], cancel);
        await store.Log.AppendAsync("trimmed", [Draft("d")], cancel);

        var run = await store.Log.RunRetentionAsync(cancel);

        Assert.Equal(1, run.ChannelsRemoved);
        Assert.True(run.PassCompleted);
        Assert.False((await store.Log.GetHeadAsync("expired", cancel)).Exists);
        Assert.Equal(new LogHead(trimmed.Epoch, 4), await store.Log.GetHeadAsync("trimmed", cancel));
        Assert.Equal([4L], (await ReadAllAsync(store.Log, "trimmed", 0)).Select(e => e.Offset));
        Assert.Equal(new LogHead(fresh.Epoch, 1), await store.Log.GetHeadAsync("fresh", cancel));
    }

    [Fact]
    public async Task A_large_batch_of_large_events_is_committed_whole_and_in_order()
    {
        await using var store = await OpenAsync(new LogSettings());
        var drafts = Enumerable.Range(0, 120)
            .Select(i => new EventDraft("blob", Encoding.UTF8.GetBytes(i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture) + new string('z', 60_000)), $"big-{i}"))
            .ToList();
        var result = await store.Log.AppendAsync(Channel, drafts, Waits.ForTest());
        Assert.Equal(Enumerable.Range(1, 120).Select(i => (long)i), result.Appended.Select(e => e.Offset));
        var events = await ReadAllAsync(store.Log, Channel, 0);
        Assert.Equal(drafts.Select(d => d.Data.Length), events.Select(e => e.Data.Length));
        Assert.Equal(Enumerable.Range(0, 120).Select(i => i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)), events.Select(e => Encoding.UTF8.GetString(e.Data.Span[..5])));
    }

    protected static EventDraft Draft(string sourceId) => new("m", Encoding.UTF8.GetBytes(sourceId), sourceId);

    protected static async Task<List<ChannelEvent>> ReadAllAsync(IEventLog log, string channel, long after)
    {
        var events = new List<ChannelEvent>();
        await foreach (var e in log.ReadAfterAsync(channel, after, Waits.ForTest()))
        {
            events.Add(e);
        }

        return events;
    }
}
