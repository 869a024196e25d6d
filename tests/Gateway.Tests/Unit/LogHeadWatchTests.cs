using Gateway.Core.Events;
using Gateway.Core.Hub;
using Gateway.Core.Log;
using Gateway.Core.Options;
using Gateway.Testing;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Unit;

/// <summary>
/// The head check on the hub's tick: a channel quiet for the interval gets one head read (not one per stream), and
/// its streams are told when the head moved, so an event whose live copy never came reaches them within the bound.
/// </summary>
public sealed class LogHeadWatchTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(45);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_quiet_channel_gets_one_head_read_per_interval_and_its_streams_learn_the_moved_head()
    {
        var (hub, log, watch) = Create();
        var streams = new[] { hub.Subscribe("c"), hub.Subscribe("c"), hub.Subscribe("c") };
        using var other = hub.Subscribe("d");

        // An event in the log whose live copy never reached this hub.
        await log.AppendAsync("c", [new EventDraft(null, "lost"u8.ToArray(), "s1")], CancellationToken.None);

        _time.Advance(Interval - TimeSpan.FromSeconds(1));
        watch.Tick(CancellationToken.None);
        Assert.Equal(0, log.HeadReads);

        _time.Advance(TimeSpan.FromSeconds(1));
        watch.Tick(CancellationToken.None);
        await UntilChecksDoneAsync(hub, expectedReads: 2, log);
        foreach (var s in streams)
        {
            Assert.True(s.Reader.TryRead(out var signal));
            Assert.Equal(1, signal.Head?.Offset);
            Assert.False(signal.IsHeartbeat);
        }

        // "d" has no log: nothing to tell its stream.
        Assert.False(other.Reader.TryRead(out _));

        // The same head an interval later wakes nobody.
        _time.Advance(Interval);
        watch.Tick(CancellationToken.None);
        await UntilChecksDoneAsync(hub, expectedReads: 4, log);
        Assert.All(streams, s => Assert.False(s.Reader.TryRead(out _)));
        foreach (var s in streams)
        {
            s.Dispose();
        }
    }

    [Fact]
    public async Task A_live_event_postpones_the_check()
    {
        var (hub, log, watch) = Create();
        using var s = hub.Subscribe("c");

        _time.Advance(TimeSpan.FromSeconds(30));
        hub.Publish(new ChannelEvent("c", "e", 1, null, "x"u8.ToArray(), _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(30));
        watch.Tick(CancellationToken.None);
        Assert.Equal(0, log.HeadReads);

        _time.Advance(TimeSpan.FromSeconds(15));
        watch.Tick(CancellationToken.None);
        await UntilChecksDoneAsync(hub, expectedReads: 1, log);
    }

    [Fact]
    public void Zero_turns_the_check_off()
    {
        var (hub, log, watch) = Create(TimeSpan.Zero);
        using var s = hub.Subscribe("c");

        _time.Advance(TimeSpan.FromHours(1));
        watch.Tick(CancellationToken.None);

        Assert.Equal(0, log.HeadReads);
    }

    private (EventHub Hub, CountingLog Log, LogHeadWatch Watch) Create(TimeSpan? interval = null)
    {
        var options = TestOptions.Monitor<StreamOptions>(o => o.HeadCheckInterval = interval ?? Interval);
        var hub = new EventHub(_time, options);
        var log = new CountingLog(new InMemoryEventLog(_time, TestOptions.Monitor<RetentionOptions>(), Microsoft.Extensions.Options.Options.Create(new InMemoryOptions())));
        return (hub, log, new LogHeadWatch(hub, log, options, _time, NullLogger<LogHeadWatch>.Instance));
    }

    private static Task UntilChecksDoneAsync(EventHub hub, int expectedReads, CountingLog log) =>
        Waits.UntilAsync(() => log.HeadReads == expectedReads && hub.Activity.All(a => !a.Value.IsChecking), Waits.Item, $"{expectedReads} head reads to finish");

    /// <summary>The in-memory log, counting head reads.</summary>
    private sealed class CountingLog(IEventLog inner) : IEventLog
    {
        private int _headReads;

        public int HeadReads => Volatile.Read(ref _headReads);

        public Task<LogHead> GetHeadAsync(string channel, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _headReads);
            return inner.GetHeadAsync(channel, cancellationToken);
        }

        public Task<AppendResult> AppendAsync(string channel, IReadOnlyList<EventDraft> drafts, CancellationToken cancellationToken) =>
            inner.AppendAsync(channel, drafts, cancellationToken);

        public IAsyncEnumerable<ChannelEvent> ReadAfterAsync(string channel, long afterOffset, CancellationToken cancellationToken) =>
            inner.ReadAfterAsync(channel, afterOffset, cancellationToken);

        public Task<long> ApplyRetentionAsync(CancellationToken cancellationToken) => inner.ApplyRetentionAsync(cancellationToken);
    }
}
