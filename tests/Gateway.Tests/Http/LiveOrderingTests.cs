using System.Text;
using Gateway.Core.Events;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;

namespace Gateway.Tests.Http;

/// <summary>
/// Live delivery keeps offsets in order whatever the fan-out does: a copy of an event already sent is dropped,
/// and an event that skips ahead makes the stream fill the gap from the log first.
/// </summary>
public sealed class LiveOrderingTests
{
    [Fact]
    public async Task An_event_that_skips_ahead_is_preceded_by_the_missing_ones_from_the_log()
    {
        await using var host = await GatewayTestHost.StartAsync();
        await using var stream = await host.OpenStreamAsync("gap");
        await Waits.UntilAsync(() => host.Hub.SubscriberCount == 1, Waits.Item, "the stream to subscribe");

        // Appended straight to the log: the hub never hears of these two, as when a fan-out message is lost.
        await host.Log.AppendAsync("gap", [Draft("missed 1"), Draft("missed 2")], CancellationToken.None);
        await host.PublishAsync("gap", "live 3");

        var items = await stream.ReadUntilAsync(i => SseIds.Offset(i) == 3);
        Assert.Equal(["missed 1", "missed 2", "live 3"], items.Select(i => i.Data));
        Assert.Equal([1L, 2L, 3L], items.Select(SseIds.Offset));
    }

    [Fact]
    public async Task A_repeated_copy_of_a_delivered_event_is_dropped()
    {
        await using var host = await GatewayTestHost.StartAsync();
        await using var stream = await host.OpenStreamAsync("repeat");
        await Waits.UntilAsync(() => host.Hub.SubscriberCount == 1, Waits.Item, "the stream to subscribe");
        await host.PublishAsync("repeat", "once");
        var first = await stream.NextAsync();

        // The fan-out may deliver an event again (e.g. a redelivered bus message): hand the hub the same event.
        await foreach (var e in host.Log.ReadAfterAsync("repeat", 0, CancellationToken.None))
        {
            host.Hub.Publish(e);
        }

        await host.PublishAsync("repeat", "next");
        var second = await stream.NextAsync();

        Assert.Equal((1L, "once"), (SseIds.Offset(first), first.Data));
        Assert.Equal((2L, "next"), (SseIds.Offset(second), second.Data));
    }

    [Fact]
    public async Task An_idle_stream_gets_heartbeat_comments()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Stream:HeartbeatInterval", "00:00:00.200"));
        await using var stream = await host.OpenStreamAsync("idle");

        // Comments dispatch no item: while the parser waits for one, watch the raw text it reads.
        var reading = stream.NextAsync(TimeSpan.FromSeconds(30));
        await Waits.UntilAsync(() => stream.RawText.Split(": heartbeat\n\n").Length > 3, Waits.Item, "three heartbeats");

        Assert.False(reading.IsCompleted);
        await host.PublishAsync("idle", "after the heartbeats");
        Assert.Equal("after the heartbeats", (await reading).Data);
    }

    private static EventDraft Draft(string data) => new(null, Encoding.UTF8.GetBytes(data));
}
