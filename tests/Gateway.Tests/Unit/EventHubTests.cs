using Gateway.Core.Events;
using Gateway.Core.Hub;
using Gateway.Core.Options;
using Gateway.Testing;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Unit;

public sealed class EventHubTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_subscriber_that_overflows_is_ended_alone()
    {
        var hub = CreateHub(o => o.QueueCapacity = 2);
        var ended = new List<(HubSubscription, StreamEndReason)>();
        hub.Ended += (s, r) => ended.Add((s, r));
        using var fast = hub.Subscribe("c");
        using var slow = hub.Subscribe("c");
        using var other = hub.Subscribe("elsewhere");

        hub.Publish(Event("c", 1));
        hub.Publish(Event("c", 2));
        Assert.Equal([1L, 2L], Drain(fast));
        hub.Publish(Event("c", 3));

        Assert.Equal(StreamEndReason.SlowConsumer, slow.EndReason);
        Assert.False(fast.IsEnded);
        Assert.False(other.IsEnded);
        Assert.Equal([(slow, StreamEndReason.SlowConsumer)], ended);
        Assert.Equal([3L], Drain(fast));

        // The slow subscriber's queue is completed: what was queued can still be read, then it ends.
        Assert.Equal([1L, 2L], Drain(slow));
        Assert.True(slow.Reader.IsCompleted);
        Assert.Equal(3, hub.SubscriberCount);
    }

    [Fact]
    public void Events_go_only_to_subscribers_of_their_channel()
    {
        var hub = CreateHub();
        using var a = hub.Subscribe("a");
        using var b = hub.Subscribe("b");

        hub.Publish(Event("a", 1));

        Assert.Equal([1L], Drain(a));
        Assert.Empty(Drain(b));
    }

    [Fact]
    public void Tick_sends_a_heartbeat_to_an_idle_subscriber_only_when_due()
    {
        var hub = CreateHub(o => o.HeartbeatInterval = TimeSpan.FromSeconds(15));
        using var s = hub.Subscribe("c");

        _time.Advance(TimeSpan.FromSeconds(14));
        hub.Tick();
        Assert.Equal(0, s.Reader.Count);

        _time.Advance(TimeSpan.FromSeconds(1));
        hub.Tick();
        Assert.True(s.Reader.TryRead(out var signal));
        Assert.True(signal.IsHeartbeat);

        // The next one is due a full interval later.
        _time.Advance(TimeSpan.FromSeconds(14));
        hub.Tick();
        Assert.Equal(0, s.Reader.Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        hub.Tick();
        Assert.Equal(1, s.Reader.Count);
    }

    [Fact]
    public void A_subscriber_with_queued_events_gets_no_heartbeat()
    {
        var hub = CreateHub(o => o.HeartbeatInterval = TimeSpan.FromSeconds(15));
        using var s = hub.Subscribe("c");
        hub.Publish(Event("c", 1));

        _time.Advance(TimeSpan.FromSeconds(15));
        hub.Tick();

        Assert.Equal(1, s.Reader.Count);
        Assert.True(s.Reader.TryRead(out var signal));
        Assert.False(signal.IsHeartbeat);
    }

    [Fact]
    public void A_subscriber_that_got_an_event_gets_its_heartbeat_an_interval_after_that_event()
    {
        var hub = CreateHub(o => o.HeartbeatInterval = TimeSpan.FromSeconds(15));
        using var s = hub.Subscribe("c");
        _time.Advance(TimeSpan.FromSeconds(10));
        hub.Publish(Event("c", 1));
        Assert.True(s.Reader.TryRead(out _));

        // Due by the schedule it subscribed with, but an event went out 5 s ago: the stream was not quiet.
        _time.Advance(TimeSpan.FromSeconds(5));
        hub.Tick();
        Assert.Equal(0, s.Reader.Count);
        _time.Advance(TimeSpan.FromSeconds(9));
        hub.Tick();
        Assert.Equal(0, s.Reader.Count);

        // A full interval after the event, with nothing since.
        _time.Advance(TimeSpan.FromSeconds(1));
        hub.Tick();
        Assert.True(s.Reader.TryRead(out var signal));
        Assert.True(signal.IsHeartbeat);
    }

    [Fact]
    public void A_subscriber_that_gets_events_more_often_than_the_interval_gets_no_heartbeat_until_they_stop()
    {
        var hub = CreateHub(o => o.HeartbeatInterval = TimeSpan.FromSeconds(15));
        using var s = hub.Subscribe("c");
        var events = 0;
        var heartbeats = 0;
        for (var second = 1; second <= 75; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            if (second <= 60 && second % 5 == 0)
            {
                hub.Publish(Event("c", second / 5));
            }

            hub.Tick();
            while (s.Reader.TryRead(out var signal))
            {
                if (signal.IsHeartbeat)
                {
                    heartbeats++;
                    Assert.Equal(75, second);
                }
                else
                {
                    events++;
                }
            }
        }

        // The last event went out at 60 s; the stream is quiet from then, and its heartbeat comes at 75 s.
        Assert.Equal(12, events);
        Assert.Equal(1, heartbeats);
    }

    [Fact]
    public void Tick_ends_a_subscriber_at_its_deadline_and_aborts_it_after_the_grace_period()
    {
        var hub = CreateHub(o =>
        {
            o.MaxDuration = TimeSpan.FromSeconds(60);
            o.DeadlineJitter = TimeSpan.Zero;
            o.EndGracePeriod = TimeSpan.FromSeconds(5);
            o.HeartbeatInterval = TimeSpan.FromMinutes(10);
        });
        using var s = hub.Subscribe("c");
        var aborts = 0;
        s.OnAbort(_ => aborts++, null);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(60), s.Deadline);

        _time.Advance(TimeSpan.FromSeconds(59));
        hub.Tick();
        Assert.False(s.IsEnded);

        _time.Advance(TimeSpan.FromSeconds(1));
        hub.Tick();
        Assert.Equal(StreamEndReason.Deadline, s.EndReason);
        Assert.True(s.Reader.IsCompleted);
        Assert.Equal(0, aborts);

        // Still registered 5 s later (the stream did not finish): its connection is aborted, once.
        _time.Advance(TimeSpan.FromSeconds(5));
        hub.Tick();
        hub.Tick();
        Assert.Equal(1, aborts);
    }

    [Fact]
    public void Deadline_jitter_only_shortens_the_deadline()
    {
        var hub = CreateHub(o =>
        {
            o.MaxDuration = TimeSpan.FromSeconds(60);
            o.DeadlineJitter = TimeSpan.FromSeconds(10);
        });
        var now = _time.GetUtcNow();

        var deadlines = Enumerable.Range(0, 50).Select(_ =>
        {
            using var s = hub.Subscribe("c");
            return s.Deadline;
        }).ToList();

        Assert.All(deadlines, d => Assert.InRange(d, now + TimeSpan.FromSeconds(50), now + TimeSpan.FromSeconds(60)));
        Assert.True(deadlines.Distinct().Count() > 1);
    }

    [Fact]
    public void EndAll_for_shutdown_ends_every_subscriber_and_every_later_one()
    {
        var hub = CreateHub();
        using var a = hub.Subscribe("a");
        using var b = hub.Subscribe("b");

        hub.EndAll(StreamEndReason.Shutdown);

        Assert.True(hub.IsStopping);
        Assert.Equal(StreamEndReason.Shutdown, a.EndReason);
        Assert.Equal(StreamEndReason.Shutdown, b.EndReason);
        using var late = hub.Subscribe("a");
        Assert.Equal(StreamEndReason.Shutdown, late.EndReason);
    }

    [Fact]
    public void An_ended_subscriber_keeps_its_first_reason_and_receives_nothing_more()
    {
        var hub = CreateHub(o => o.QueueCapacity = 1);
        using var s = hub.Subscribe("c");
        hub.Publish(Event("c", 1));
        hub.Publish(Event("c", 2));
        Assert.Equal(StreamEndReason.SlowConsumer, s.EndReason);

        hub.EndAll(StreamEndReason.Shutdown);
        hub.Publish(Event("c", 3));

        Assert.Equal(StreamEndReason.SlowConsumer, s.EndReason);
        Assert.Equal([1L], Drain(s));
    }

    [Fact]
    public void Disposing_a_subscription_removes_it()
    {
        var hub = CreateHub();
        var a = hub.Subscribe("c");
        var b = hub.Subscribe("c");
        Assert.Equal(2, hub.SubscriberCount);

        a.Dispose();
        a.Dispose();
        Assert.Equal(1, hub.SubscriberCount);
        hub.Publish(Event("c", 1));
        Assert.Equal([1L], Drain(b));

        b.Dispose();
        Assert.Equal(0, hub.SubscriberCount);
    }

    [Fact]
    public async Task Publish_wakes_every_waiting_reader_once_each_in_order()
    {
        // More streams than one wake-up work item takes, so the batch is split across work items.
        var hub = CreateHub();
        var subscriptions = Enumerable.Range(0, 100).Select(_ => hub.Subscribe("c")).ToList();
        try
        {
            var readers = subscriptions.Select(s => ReadOffsetsAsync(s, count: 3)).ToList();
            hub.Publish(Event("c", 1));
            hub.Publish(Event("c", 2));
            hub.Publish(Event("c", 3));

            var received = await Task.WhenAll(readers).WaitAsync(Waits.Item);

            Assert.All(received, offsets => Assert.Equal([1L, 2L, 3L], offsets));
        }
        finally
        {
            subscriptions.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Tick_wakes_a_waiting_reader_with_its_heartbeat()
    {
        var hub = CreateHub(o => o.HeartbeatInterval = TimeSpan.FromSeconds(15));
        using var s = hub.Subscribe("c");
        var waiting = s.Reader.WaitToReadAsync().AsTask();
        Assert.False(waiting.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(15));
        hub.Tick();

        Assert.True(await waiting.WaitAsync(Waits.Item));
        Assert.True(s.Reader.TryRead(out var signal));
        Assert.True(signal.IsHeartbeat);
    }

    [Fact]
    public async Task Tick_wakes_every_waiting_reader_of_every_channel_when_its_batch_outgrows_the_first_channel()
    {
        // The heartbeat batch is sized to the first channel it meets; the second channel's 40 streams grow it (a larger
        // pooled array), and every reader must still get its heartbeat once.
        var hub = CreateHub(o => o.HeartbeatInterval = TimeSpan.FromSeconds(15));
        var subscriptions = new[] { hub.Subscribe("small") }.Concat(Enumerable.Range(0, 40).Select(_ => hub.Subscribe("large"))).ToList();
        try
        {
            var waits = subscriptions.Select(s => s.Reader.WaitToReadAsync().AsTask()).ToList();
            _time.Advance(TimeSpan.FromSeconds(15));
            hub.Tick();

            Assert.All(await Task.WhenAll(waits).WaitAsync(Waits.Item), Assert.True);
            Assert.All(subscriptions, s =>
            {
                Assert.True(s.Reader.TryRead(out var signal));
                Assert.True(signal.IsHeartbeat);
                Assert.False(s.Reader.TryRead(out _));
            });
        }
        finally
        {
            subscriptions.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Fan_outs_one_after_another_reuse_nothing_a_reader_still_needs()
    {
        // Each fan-out's wake-up array goes back to the pool when its last work item ends; a fan-out right behind it
        // may get the same array. Every reader must see every event once, in order, across many such fan-outs.
        var hub = CreateHub();
        var subscriptions = Enumerable.Range(0, 64).Select(_ => hub.Subscribe("c")).ToList();
        try
        {
            const int events = 200;
            var readers = subscriptions.Select(s => ReadOffsetsAsync(s, count: events)).ToList();
            for (var offset = 1; offset <= events; offset++)
            {
                hub.Publish(Event("c", offset));
            }

            var received = await Task.WhenAll(readers).WaitAsync(Waits.Item);

            var expected = Enumerable.Range(1, events).Select(i => (long)i).ToList();
            Assert.All(received, offsets => Assert.Equal(expected, offsets));
        }
        finally
        {
            subscriptions.ForEach(s => s.Dispose());
        }
    }

    private EventHub CreateHub(Action<StreamOptions>? configure = null) => new(_time, TestOptions.Monitor(configure));

    private ChannelEvent Event(string channel, long offset) => new(channel, "epoch", offset, null, "x"u8.ToArray(), _time.GetUtcNow());

    // Reads as a stream does: wait while the queue is empty, then take what is there.
    private static async Task<List<long>> ReadOffsetsAsync(HubSubscription s, int count)
    {
        var offsets = new List<long>();
        while (offsets.Count < count && await s.Reader.WaitToReadAsync())
        {
            offsets.AddRange(Drain(s));
        }

        return offsets;
    }

    private static List<long> Drain(HubSubscription s)
    {
        var offsets = new List<long>();
        while (s.Reader.TryRead(out var signal))
        {
            offsets.Add(signal.Event!.Offset);
        }

        return offsets;
    }
}
