using System.Text;
using Gateway.Core.Events;
using Gateway.Core.Log;
using Gateway.Core.Options;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Unit;

/// <summary>The embedded log drops channels whose events have all expired, as the Table log removes their rows (issue 11).</summary>
public sealed class InMemoryRetentionTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Channels_whose_events_all_expired_are_dropped_and_the_rest_kept()
    {
        var log = CreateLog();
        for (var i = 0; i < 300; i++)
        {
            await log.AppendAsync($"c{i}", [Draft("old")], CancellationToken.None);
        }

        _time.Advance(TimeSpan.FromHours(2));
        for (var i = 0; i < 300; i += 10)
        {
            await log.AppendAsync($"c{i}", [Draft("fresh")], CancellationToken.None);
        }

        var run = await log.RunRetentionAsync(CancellationToken.None);

        Assert.Equal(new RetentionRunResult(300, 300, 270, PassCompleted: true), run);
        Assert.Equal(30, log.ChannelCount);
        Assert.False((await log.GetHeadAsync("c1", CancellationToken.None)).Exists);
        Assert.Equal(2, (await log.GetHeadAsync("c10", CancellationToken.None)).Offset);
        var expected = 0L;
        for (var i = 0; i < 300; i += 10)
        {
            expected += InMemoryEventCost.OfChannel($"c{i}") + (await ReadAllAsync(log, $"c{i}")).Sum(InMemoryEventCost.Of);
        }

        Assert.Equal(expected, log.AccountedBytes);
    }

    [Fact]
    public async Task Appends_racing_with_retention_are_never_lost()
    {
        var log = CreateLog();
        var channels = Enumerable.Range(0, 200).Select(i => $"r{i}").ToArray();
        foreach (var channel in channels)
        {
            await log.AppendAsync(channel, [Draft("old")], CancellationToken.None);
        }

        _time.Advance(TimeSpan.FromHours(2));

        // Retention drops the emptied channels while writers append to the same channels: each append lands in a log
        // that is still there afterwards (the old one, kept because it was written, or the channel's next one).
        var results = new AppendResult[channels.Length];
        var writers = Task.Run(async () =>
        {
            for (var i = 0; i < channels.Length; i++)
            {
                results[i] = await log.AppendAsync(channels[i], [Draft("new")], CancellationToken.None);
            }
        });
        while (!writers.IsCompleted)
        {
            await log.RunRetentionAsync(CancellationToken.None);
        }

        await writers;
        await log.RunRetentionAsync(CancellationToken.None);
        for (var i = 0; i < channels.Length; i++)
        {
            var appended = Assert.Single(results[i].Appended);
            Assert.Equal(results[i].Epoch, (await log.GetHeadAsync(channels[i], CancellationToken.None)).Epoch);
            var events = await ReadAllAsync(log, channels[i]);
            Assert.Contains(events, e => e.Offset == appended.Offset && Encoding.UTF8.GetString(e.Data.Span) == "new");
        }
    }

    private InMemoryEventLog CreateLog() =>
        new(_time, TestOptions.Monitor<RetentionOptions>(r => r.MaxAge = TimeSpan.FromHours(1)), Microsoft.Extensions.Options.Options.Create(new InMemoryOptions()));

    private static EventDraft Draft(string data) => new(null, Encoding.UTF8.GetBytes(data));

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
