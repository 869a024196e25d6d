using Gateway.Core.Bus;
using Gateway.Core.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Unit;

/// <summary>
/// The embedded bus bounds a publisher's wait for the append by <see cref="InMemoryOptions.AppendTimeout"/>, on the
/// injected clock: an event still queued at the timeout is withdrawn (ingest then skips it), one that ingest already
/// holds is left to be appended once, and the publisher is told which.
/// </summary>
public sealed class InMemoryBusAppendTimeoutTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task An_event_still_queued_at_the_timeout_is_withdrawn_and_ingest_skips_it()
    {
        var bus = Bus();
        var publish = bus.PublishAsync("down", null, "x"u8.ToArray(), "key-1", CancellationToken.None);

        _time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(publish.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<PublishTimedOutException>(() => publish);
        Assert.True(error.Withdrawn);
        Assert.Contains("not appended", error.Message, StringComparison.Ordinal);
        Assert.True(bus.Reader.TryRead(out var queued));
        Assert.False(queued.TryTake());
    }

    [Fact]
    public async Task An_event_ingest_holds_at_the_timeout_is_left_to_be_appended_once()
    {
        var bus = Bus();
        var publish = bus.PublishAsync("down", null, "x"u8.ToArray(), "key-1", CancellationToken.None);
        Assert.True(bus.Reader.TryRead(out var queued));
        Assert.True(queued.TryTake());

        _time.Advance(Timeout);

        var error = await Assert.ThrowsAsync<PublishTimedOutException>(() => publish);
        Assert.False(error.Withdrawn);
        Assert.Contains("same Idempotency-Key", error.Message, StringComparison.Ordinal);
        Assert.Equal(IdempotencyKey.ToSourceId("key-1"), queued.Event.SourceId);
    }

    [Fact]
    public async Task An_append_that_completes_before_the_timeout_answers_with_its_receipt()
    {
        var bus = Bus();
        var publish = bus.PublishAsync("up", null, "x"u8.ToArray(), null, CancellationToken.None);
        Assert.True(bus.Reader.TryRead(out var queued));
        Assert.True(queued.TryTake());
        var receipt = new PublishReceipt(new Gateway.Core.Events.EventPosition("ep", 1));

        queued.Committed.SetResult(receipt);
        _time.Advance(Timeout);

        Assert.Same(receipt, await publish);
    }

    [Fact]
    public async Task A_full_queue_times_out_without_taking_the_event()
    {
        var bus = Bus(capacity: 1);
        var first = bus.PublishAsync("full", null, "1"u8.ToArray(), null, CancellationToken.None);
        var second = bus.PublishAsync("full", null, "2"u8.ToArray(), null, CancellationToken.None);

        _time.Advance(Timeout);

        Assert.True((await Assert.ThrowsAsync<PublishTimedOutException>(() => second)).Withdrawn);
        Assert.True((await Assert.ThrowsAsync<PublishTimedOutException>(() => first)).Withdrawn);
        Assert.True(bus.Reader.TryRead(out _));
        Assert.False(bus.Reader.TryRead(out _));
    }

    private InMemoryEventBus Bus(int capacity = 100) =>
        new(Microsoft.Extensions.Options.Options.Create(new InMemoryOptions { AppendTimeout = Timeout, BusCapacity = capacity }), _time);
}
