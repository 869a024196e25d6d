using System.Diagnostics;
using System.Text;
using Gateway.Core.Events;
using Gateway.Core.Log;
using Gateway.Core.Options;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Gateway.Tests.Limits;

/// <summary>The embedded log's channel count and byte budget: least recently written goes first, recent history stays.</summary>
public sealed class InMemoryEventLogBoundsTests(ITestOutputHelper output)
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_flood_of_new_channels_evicts_the_least_recently_written_first()
    {
        var log = CreateLog(m => m.MaxChannels = 3);
        var a = await AppendAsync(log, "a", "1");
        var b = await AppendAsync(log, "b", "1");
        await AppendAsync(log, "c", "1");

        // Writing to a makes b the least recently written.
        await AppendAsync(log, "a", "2");
        await AppendAsync(log, "d", "1");

        Assert.False((await log.GetHeadAsync("b", CancellationToken.None)).Exists);
        Assert.Equal(new LogHead(a.Epoch, 2), await log.GetHeadAsync("a", CancellationToken.None));
        Assert.True((await log.GetHeadAsync("c", CancellationToken.None)).Exists);

        // Next in line is c, then a; d was written last.
        await AppendAsync(log, "e", "1");
        Assert.False((await log.GetHeadAsync("c", CancellationToken.None)).Exists);
        Assert.True((await log.GetHeadAsync("a", CancellationToken.None)).Exists);

        var again = await AppendAsync(log, "b", "again");
        Assert.NotEqual(b.Epoch, again.Epoch);
        Assert.Equal(3, log.ChannelCount);
    }

    [Fact]
    public async Task Channels_written_during_a_flood_keep_their_whole_history()
    {
        const int Capacity = 1_000;
        const int Flood = 50_000;
        var log = CreateLog(m => m.MaxChannels = Capacity);
        string[] hot = ["hot-1", "hot-2", "hot-3"];
        var epochs = new Dictionary<string, string>();
        foreach (var channel in hot)
        {
            epochs[channel] = (await AppendAsync(log, channel, "0")).Epoch;
        }

        // Each append touches or evicts one list node: a flood 50 times the capacity would cost 5·10^7 comparisons
        // with a scan of every channel per new one.
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Flood; i++)
        {
            await AppendAsync(log, $"flood-{i}", "x");
            if (i % 100 == 0)
            {
                foreach (var channel in hot)
                {
                    await AppendAsync(log, channel, $"{(i / 100) + 1}");
                }
            }
        }

        output.WriteLine($"{Flood:N0} new channels through a log of {Capacity:N0} in {clock.ElapsedMilliseconds} ms");

        Assert.Equal(Capacity, log.ChannelCount);
        foreach (var channel in hot)
        {
            var head = await log.GetHeadAsync(channel, CancellationToken.None);
            Assert.Equal(epochs[channel], head.Epoch);
            var events = await ReadAllAsync(log, channel);
            Assert.Equal(Enumerable.Range(1, (int)head.Offset).Select(i => (long)i), events.Select(e => e.Offset));
        }

        // The survivors of the flood are the newest channels, not a random sample.
        Assert.True((await log.GetHeadAsync($"flood-{Flood - 1}", CancellationToken.None)).Exists);
        Assert.True((await log.GetHeadAsync($"flood-{Flood - Capacity + hot.Length + 1}", CancellationToken.None)).Exists);
        Assert.False((await log.GetHeadAsync($"flood-{Flood - Capacity - 1}", CancellationToken.None)).Exists);
    }

    [Fact]
    public async Task Over_the_byte_budget_the_least_recently_written_channel_loses_its_oldest_events_first()
    {
        const long Budget = InMemoryOptions.MinMaxBytes;
        var log = CreateLog(m => m.MaxBytes = Budget);
        var data = new byte[16 * 1024];

        var quiet = await log.AppendAsync("quiet", Enumerable.Range(0, 10).Select(_ => new EventDraft(null, data)).ToList(), CancellationToken.None);
        for (var i = 0; i < 200; i++)
        {
            await log.AppendAsync("busy", [new EventDraft(null, data)], CancellationToken.None);
            Assert.True(log.AccountedBytes <= Budget, $"{log.AccountedBytes} bytes charged after append {i}, over the budget of {Budget}");
        }

        // The quiet channel was trimmed first (and, empty, evicted); the busy one keeps its newest events in order.
        Assert.NotEqual(quiet.Epoch, (await log.GetHeadAsync("quiet", CancellationToken.None)).Epoch);
        var busy = await ReadAllAsync(log, "busy");
        Assert.Equal(200, busy[^1].Offset);
        Assert.Equal(Enumerable.Range((int)busy[0].Offset, busy.Count).Select(i => (long)i), busy.Select(e => e.Offset));
        Assert.InRange(busy.Count, 20, 32);
        output.WriteLine($"Budget {Budget} bytes: {log.AccountedBytes} charged, 'busy' keeps {busy.Count} of 200 events of 16 KiB");
    }

    [Fact]
    public async Task A_channel_trimmed_for_bytes_but_not_emptied_keeps_its_epoch_and_head()
    {
        const long Budget = InMemoryOptions.MinMaxBytes;
        var log = CreateLog(m => m.MaxBytes = Budget);
        var data = new byte[16 * 1024];
        var quiet = await log.AppendAsync("quiet", Enumerable.Range(0, 20).Select(_ => new EventDraft(null, data)).ToList(), CancellationToken.None);

        // Just past the budget: a few of the quiet channel's oldest events make room.
        while (log.AccountedBytes + (3 * data.Length) < Budget)
        {
            await log.AppendAsync("busy", [new EventDraft(null, data)], CancellationToken.None);
        }

        await log.AppendAsync("busy", [new EventDraft(null, data), new EventDraft(null, data)], CancellationToken.None);

        Assert.Equal(new LogHead(quiet.Epoch, 20), await log.GetHeadAsync("quiet", CancellationToken.None));
        var kept = await ReadAllAsync(log, "quiet");
        Assert.NotEmpty(kept);
        Assert.True(kept[0].Offset > 1, "the oldest quiet events were trimmed");
        Assert.Equal(20, kept[^1].Offset);
        Assert.Equal(1, (await ReadAllAsync(log, "busy"))[0].Offset);
    }

    [Fact]
    public async Task Retention_and_eviction_give_back_every_byte_they_charged()
    {
        var log = CreateLog(m => m.MaxChannels = 2, r => r.MaxEventsPerChannel = 5);
        for (var i = 0; i < 50; i++)
        {
            await log.AppendAsync($"c{i % 3}", [new EventDraft("name", new byte[100 + i], $"s{i}")], CancellationToken.None);
        }

        var expected = 0L;
        foreach (var channel in new[] { "c0", "c1", "c2" })
        {
            if ((await log.GetHeadAsync(channel, CancellationToken.None)).Exists)
            {
                expected += InMemoryEventCost.OfChannel(channel) + (await ReadAllAsync(log, channel)).Sum(InMemoryEventCost.Of);
            }
        }

        Assert.Equal(expected, log.AccountedBytes);

        _time.Advance(TimeSpan.FromDays(2));
        await log.ApplyRetentionAsync(CancellationToken.None);

        // Every event expired, so retention dropped the channels too, with their overhead.
        Assert.Equal(0, log.AccountedBytes);
        Assert.Equal(0, log.ChannelCount);
    }

    [Fact]
    public async Task Appends_racing_with_evictions_keep_every_live_log_contiguous()
    {
        var log = CreateLog(m => m.MaxChannels = 4);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                await log.AppendAsync($"c{(i + w) % 16}", [new EventDraft(null, Encoding.UTF8.GetBytes($"{w}-{i}"))], CancellationToken.None);
            }
        })));

        Assert.Equal(4, log.ChannelCount);
        for (var c = 0; c < 16; c++)
        {
            var head = await log.GetHeadAsync($"c{c}", CancellationToken.None);
            var events = await ReadAllAsync(log, $"c{c}");
            Assert.Equal(Enumerable.Range(1, (int)head.Offset).Select(i => (long)i), events.Select(e => e.Offset));
            Assert.All(events, e => Assert.Equal(head.Epoch, e.Epoch));
        }
    }

    private InMemoryEventLog CreateLog(Action<InMemoryOptions>? configureMemory = null, Action<RetentionOptions>? configureRetention = null)
    {
        var memory = new InMemoryOptions();
        configureMemory?.Invoke(memory);
        return new InMemoryEventLog(_time, TestOptions.Monitor(configureRetention), Microsoft.Extensions.Options.Options.Create(memory));
    }

    private static Task<AppendResult> AppendAsync(InMemoryEventLog log, string channel, string data) =>
        log.AppendAsync(channel, [new EventDraft(null, Encoding.UTF8.GetBytes(data))], CancellationToken.None);

    private static async Task<List<ChannelEvent>> ReadAllAsync(InMemoryEventLog log, string channel)
    {
        var events = new List<ChannelEvent>();
        await foreach (var e in log.ReadAfterAsync(channel, 0, CancellationToken.None))
        {
            events.Add(e);
        }

        return events;
    }
}
