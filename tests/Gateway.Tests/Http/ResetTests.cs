using System.Net.ServerSentEvents;
using System.Text.Json;
using Gateway.Core.Streaming;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;

namespace Gateway.Tests.Http;

/// <summary>An id the stream cannot continue from exactly: it says so with <c>event: reset</c> and carries on from the oldest retained event.</summary>
public sealed class ResetTests
{
    [Fact]
    public async Task An_id_from_an_unknown_epoch_is_reset_as_stale_and_replays_from_the_oldest()
    {
        await using var host = await GatewayTestHost.StartAsync();
        var epoch = await PublishAsync(host, "stale", 3);

        await using var stream = await host.OpenStreamAsync("stale", "zz9old-2");
        var reset = await stream.NextAsync();
        var replayed = await stream.ReadUntilAsync(i => SseIds.Offset(i) == 3);

        AssertReset(reset, ResetReason.StaleEpoch, "zz9old-2", $"{epoch}-0");
        Assert.Equal([$"{epoch}-1", $"{epoch}-2", $"{epoch}-3"], replayed.Select(i => i.EventId));
        Assert.Equal(["e1", "e2", "e3"], replayed.Select(i => i.Data));
    }

    [Fact]
    public async Task An_id_on_a_channel_with_no_log_is_reset_as_stale_then_goes_live()
    {
        await using var host = await GatewayTestHost.StartAsync();

        await using var stream = await host.OpenStreamAsync("fresh", "abc-5");
        var reset = await stream.NextAsync();
        await host.PublishAsync("fresh", "live");
        var live = await stream.NextAsync();

        AssertReset(reset, ResetReason.StaleEpoch, "abc-5", null);
        Assert.Equal(1, SseIds.Offset(live));
        Assert.Equal("live", live.Data);
    }

    [Fact]
    public async Task An_id_ahead_of_the_head_is_reset_and_replays_from_the_oldest()
    {
        await using var host = await GatewayTestHost.StartAsync();
        var epoch = await PublishAsync(host, "ahead", 3);

        await using var stream = await host.OpenStreamAsync("ahead", $"{epoch}-99");
        var reset = await stream.NextAsync();
        var replayed = await stream.ReadUntilAsync(i => SseIds.Offset(i) == 3);

        AssertReset(reset, ResetReason.AheadOfHead, $"{epoch}-99", $"{epoch}-0");
        Assert.Equal([1L, 2L, 3L], replayed.Select(SseIds.Offset));
    }

    [Fact]
    public async Task An_id_older_than_retention_is_reset_as_pruned_and_continues_from_the_oldest_retained()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Retention:MaxEventsPerChannel", "5"));
        var epoch = await PublishAsync(host, "pruned", 20);
        await host.Log.ApplyRetentionAsync(CancellationToken.None);

        await using var stream = await host.OpenStreamAsync("pruned", $"{epoch}-3");
        var reset = await stream.NextAsync();
        var replayed = await stream.ReadUntilAsync(i => SseIds.Offset(i) == 20);

        AssertReset(reset, ResetReason.Pruned, $"{epoch}-3", $"{epoch}-15");
        Assert.Equal([16L, 17L, 18L, 19L, 20L], replayed.Select(SseIds.Offset));

        // Live events follow on without another reset.
        await host.PublishAsync("pruned", "e21");
        var live = await stream.NextAsync();
        Assert.Equal((SseParser.EventTypeDefault, $"{epoch}-21", "e21"), (live.EventType, live.EventId, live.Data));
    }

    [Fact]
    public async Task A_stale_id_on_a_pruned_log_gets_one_reset_pointing_before_the_oldest_retained()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Retention:MaxEventsPerChannel", "5"));
        var epoch = await PublishAsync(host, "stale-pruned", 20);
        await host.Log.ApplyRetentionAsync(CancellationToken.None);

        await using var stream = await host.OpenStreamAsync("stale-pruned", "zz9old-30");
        var items = await stream.ReadUntilAsync(i => i.EventType != SseFrames.ResetEventName && SseIds.Offset(i) == 20);

        AssertReset(items[0], ResetReason.StaleEpoch, "zz9old-30", $"{epoch}-15");
        Assert.Equal([16L, 17L, 18L, 19L, 20L], items.Skip(1).Select(SseIds.Offset));
    }

    [Fact]
    public async Task A_log_re_created_under_an_open_stream_is_reset_as_stale_and_followed_from_its_start()
    {
        // One channel at most: publishing to another evicts the first, whose next event starts a new log.
        await using var host = await GatewayTestHost.StartAsync(("Gateway:InMemory:MaxChannels", "1"));
        await using var stream = await host.OpenStreamAsync("evicted");
        await host.PublishAsync("evicted", "old 1");
        var old = await stream.NextAsync();
        await host.PublishAsync("other", "evicts");
        await host.WaitForHeadAsync("other", 1);

        await host.PublishAsync("evicted", "new 1");
        var reset = await stream.NextAsync();
        var next = await stream.NextAsync();

        var epoch = (await host.Log.GetHeadAsync("evicted", CancellationToken.None)).Epoch!;
        Assert.NotEqual(epoch, old.EventId![..old.EventId!.LastIndexOf('-')]);
        AssertReset(reset, ResetReason.StaleEpoch, old.EventId!, $"{epoch}-0");
        Assert.Equal(($"{epoch}-1", "new 1"), (next.EventId, next.Data));
    }

    [Fact]
    public async Task An_id_within_retention_replays_exactly_what_follows_it()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Retention:MaxEventsPerChannel", "5"));
        var epoch = await PublishAsync(host, "kept", 20);
        await host.Log.ApplyRetentionAsync(CancellationToken.None);

        await using var stream = await host.OpenStreamAsync("kept", $"{epoch}-17");
        var replayed = await stream.ReadUntilAsync(i => SseIds.Offset(i) == 20);

        Assert.Equal([$"{epoch}-18", $"{epoch}-19", $"{epoch}-20"], replayed.Select(i => i.EventId));
        Assert.All(replayed, i => Assert.Equal(SseParser.EventTypeDefault, i.EventType));
    }

    /// <summary>Publishes e1..eN and waits until the log holds them; returns the channel's epoch.</summary>
    private static async Task<string> PublishAsync(GatewayTestHost host, string channel, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await host.PublishAsync(channel, $"e{i}");
        }

        return await host.WaitForHeadAsync(channel, count);
    }

    private static void AssertReset(SseItem<string> item, string reason, string lastEventId, string? resumeAfter)
    {
        Assert.Equal(SseFrames.ResetEventName, item.EventType);
        using var data = JsonDocument.Parse(item.Data);
        Assert.Equal(reason, data.RootElement.GetProperty("reason").GetString());
        Assert.Equal(lastEventId, data.RootElement.GetProperty("lastEventId").GetString());
        if (resumeAfter is null)
        {
            Assert.False(data.RootElement.TryGetProperty("resumeAfter", out _));
        }
        else
        {
            Assert.Equal(resumeAfter, data.RootElement.GetProperty("resumeAfter").GetString());
            Assert.Equal(resumeAfter, item.EventId);
        }
    }
}
