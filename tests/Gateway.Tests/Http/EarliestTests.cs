using Gateway.Core.Streaming;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;

namespace Gateway.Tests.Http;

/// <summary><c>Last-Event-ID: earliest</c> (Mercure's): every retained event, without a reset; and the start header.</summary>
public sealed class EarliestTests
{
    [Theory]
    [InlineData("header")]
    [InlineData("last_event_id")]
    [InlineData("lastEventId")]
    public async Task Earliest_replays_a_channel_from_its_oldest_retained_event_without_a_reset(string how)
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Retention:MaxEventsPerChannel", "5"));
        for (var i = 1; i <= 12; i++)
        {
            await host.PublishAsync("early", $"e{i}");
        }

        var epoch = await host.WaitForHeadAsync("early", 12);
        var oldest = (await host.Log.GetOldestOffsetAsync("early", CancellationToken.None))!.Value;

        await using var stream = how == "header"
            ? await host.OpenStreamAsync("early", LastEventIdReader.Earliest)
            : await SseStream.OpenAsync(host.Client, $"{GatewayTestHost.StreamPath("early")}?{how}=earliest");
        var items = await stream.ReadUntilAsync(i => SseIds.Offset(i) == 12);

        Assert.Equal(Enumerable.Range((int)oldest, 12 - (int)oldest + 1).Select(i => $"e{i}"), items.Select(i => i.Data));
        Assert.DoesNotContain(items, i => i.EventType == SseFrames.ResetEventName);
        Assert.Equal($"{epoch}-{oldest - 1}", Assert.Single(stream.Response.Headers.GetValues(LastEventIdReader.HeaderName)));
    }

    [Fact]
    public async Task Earliest_on_several_channels_replays_each_from_its_oldest()
    {
        await using var host = await GatewayTestHost.StartAsync();
        await host.PublishAsync("ea-a", "a1");
        await host.PublishAsync("ea-b", "b1");
        await host.PublishAsync("ea-a", "a2");
        await host.WaitForHeadAsync("ea-a", 2);
        await host.WaitForHeadAsync("ea-b", 1);

        await using var stream = await host.OpenMultiStreamAsync(["ea-a", "ea-b", "ea-none"], LastEventIdReader.Earliest);
        var items = await stream.NextAsync(3);
        var header = Assert.Single(stream.Response.Headers.GetValues(LastEventIdReader.HeaderName));

        Assert.Equal(["a1", "a2", "b1"], items.Select(i => i.Data).Order());
        Assert.DoesNotContain(items, i => i.EventType == SseFrames.ResetEventName);
        Assert.Equal([0L, 0L, 0L], SseIds.Offsets(header));
        Assert.StartsWith(".", header, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Earliest_on_a_channel_without_a_log_waits_for_live_events_and_sends_no_start_header()
    {
        await using var host = await GatewayTestHost.StartAsync();
        await using var stream = await host.OpenStreamAsync("nolog", LastEventIdReader.Earliest);
        Assert.False(stream.Response.Headers.Contains(LastEventIdReader.HeaderName));
        await Waits.UntilAsync(() => host.Hub.SubscriberCount == 1, Waits.Item, "the stream to subscribe");

        await host.PublishAsync("nolog", "first");
        var item = await stream.NextAsync();
        Assert.Equal((1L, "first"), (SseIds.Offset(item), item.Data));
    }

    [Fact]
    public async Task A_new_client_still_starts_at_the_head_and_the_header_says_so()
    {
        await using var host = await GatewayTestHost.StartAsync();
        await host.PublishAsync("head", "old");
        var epoch = await host.WaitForHeadAsync("head", 1);

        await using var stream = await host.OpenStreamAsync("head");
        Assert.Equal($"{epoch}-1", Assert.Single(stream.Response.Headers.GetValues(LastEventIdReader.HeaderName)));
        await Waits.UntilAsync(() => host.Hub.SubscriberCount == 1, Waits.Item, "the stream to subscribe");
        await host.PublishAsync("head", "new");
        Assert.Equal("new", (await stream.NextAsync()).Data);
    }
}
