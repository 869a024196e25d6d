using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Gateway.Core.Streaming;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;
using Gateway.Testing.Sse;
using Gateway.Tests.Access;

namespace Gateway.Tests.Http;

/// <summary><c>GET /api/stream?channel=a&amp;channel=b</c>: several channels over one stream, their ids, resets and refusals.</summary>
public sealed class MultiChannelStreamTests
{
    [Fact]
    public async Task Events_of_every_channel_arrive_with_their_names_and_an_id_that_names_their_channel_by_index()
    {
        await using var host = await GatewayTestHost.StartAsync();
        await using var stream = await host.OpenMultiStreamAsync(["mc-a", "mc-b"]);
        await Waits.UntilAsync(() => host.Hub.SubscriberCount == 1, Waits.Item, "the stream to subscribe");

        await host.PublishAsync("mc-b", "b1", "price");
        await host.WaitForHeadAsync("mc-b", 1);
        await host.PublishAsync("mc-a", "a1");
        await host.WaitForHeadAsync("mc-a", 1);
        await host.PublishAsync("mc-b", "b2", "price");
        var items = await stream.NextAsync(3);

        Assert.Equal([("price", "b1", 1), ("message", "a1", 0), ("price", "b2", 1)], items.Select(i => (i.EventType, i.Data, SseIds.ChannelIndex(i.EventId))));

        // Every id holds every channel's position: after b1 a is still at 0 (its log did not exist yet).
        Assert.Equal([[0L, 1L], [1L, 1L], [1L, 2L]], items.Select(i => SseIds.Offsets(i.EventId)));
        Assert.Contains(".-0_", items[0].EventId, StringComparison.Ordinal);
        Assert.All(items, i => Assert.DoesNotContain("mc-", i.EventId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resuming_with_the_last_id_continues_every_channel_exactly_on_another_instance()
    {
        await using var a = await GatewayTestHost.StartAsync();
        await using var b = await GatewayTestHost.StartSharingLogAsync(a);
        string lastId;
        await using (var first = await a.OpenMultiStreamAsync(["r-x", "r-y"]))
        {
            await Waits.UntilAsync(() => a.Hub.SubscriberCount == 1, Waits.Item, "the stream to subscribe");
            await a.PublishAsync("r-x", "x1");
            await a.PublishAsync("r-y", "y1");
            var seen = await first.NextAsync(2);
            lastId = seen[^1].EventId!;
        }

        await a.PublishAsync("r-x", "x2");
        await a.PublishAsync("r-y", "y2");
        await a.PublishAsync("r-x", "x3");
        await a.WaitForHeadAsync("r-x", 3);
        await a.WaitForHeadAsync("r-y", 2);

        await using var resumed = await b.OpenMultiStreamAsync(["r-x", "r-y"], lastId);
        var items = await resumed.NextAsync(3);

        Assert.Equal(["x2", "y2", "x3"], items.Select(i => i.Data));
        Assert.Equal([3L, 2L], SseIds.Offsets(items[^1].EventId));
        Assert.DoesNotContain(items, i => i.EventType == SseFrames.ResetEventName);
    }

    [Fact]
    public async Task Replay_interleaves_the_channels_in_commit_order_and_keeps_each_channels_order()
    {
        await using var host = await GatewayTestHost.StartAsync();
        var order = new[] { "o-a", "o-b", "o-b", "o-a", "o-c", "o-a", "o-b" };
        var counts = new Dictionary<string, int>();
        foreach (var channel in order)
        {
            counts[channel] = counts.GetValueOrDefault(channel) + 1;
            await host.PublishAsync(channel, $"{channel}#{counts[channel]}");

            // One commit after another, so the commit times are in this order.
            await host.WaitForHeadAsync(channel, counts[channel]);
        }

        await using var stream = await host.OpenMultiStreamAsync(["o-a", "o-b", "o-c"], LastEventIdReader.Earliest);
        var items = await stream.NextAsync(order.Length);

        Assert.Equal(order, items.Select(i => new[] { "o-a", "o-b", "o-c" }[SseIds.ChannelIndex(i.EventId)]));
        Assert.Equal(["o-a#1", "o-a#2", "o-a#3"], items.Where(i => i.Data.StartsWith("o-a", StringComparison.Ordinal)).Select(i => i.Data));
    }

    [Fact]
    public async Task A_stale_channel_is_reset_on_its_own_and_the_reset_names_it()
    {
        await using var host = await GatewayTestHost.StartAsync();
        await host.PublishAsync("s-a", "a1");
        await host.PublishAsync("s-b", "b1");
        await host.PublishAsync("s-b", "b2");
        var epochA = await host.WaitForHeadAsync("s-a", 1);
        var epochB = await host.WaitForHeadAsync("s-b", 2);
        var channels = new[] { "s-a", "s-b" };
        var id = CompositePosition.Format(0, CompositePosition.HashOf(channels), [new ChannelPosition(epochA, 1), new ChannelPosition("zz9old", 7)]);

        await using var stream = await host.OpenMultiStreamAsync(channels, id);
        var reset = await stream.NextAsync();
        var replayed = await stream.NextAsync(2);

        var data = ResetData(reset);
        Assert.Equal((ResetReason.StaleEpoch, "s-b", "zz9old-7"), (data.Reason, data.Channel, data.LastEventId));
        Assert.Equal(1, SseIds.ChannelIndex(reset.EventId));
        Assert.Equal(reset.EventId, data.ResumeAfter);
        Assert.Equal([1L, 0L], SseIds.Offsets(reset.EventId));
        Assert.Equal(["b1", "b2"], replayed.Select(i => i.Data));
        Assert.EndsWith($"{epochA}-1_{epochB}-2", replayed[^1].EventId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_channel_pruned_past_the_id_is_reset_as_pruned_and_names_the_channel()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Retention:MaxEventsPerChannel", "5"));
        for (var i = 1; i <= 20; i++)
        {
            await host.PublishAsync("p-a", $"e{i}");
        }

        var epoch = await host.WaitForHeadAsync("p-a", 20);
        var channels = new[] { "p-a", "p-b" };
        var id = CompositePosition.Format(0, CompositePosition.HashOf(channels), [new ChannelPosition(epoch, 2), new ChannelPosition(null, 0)]);

        await using var stream = await host.OpenMultiStreamAsync(channels, id);
        var reset = await stream.NextAsync();
        var next = await stream.NextAsync();

        var data = ResetData(reset);
        Assert.Equal((ResetReason.Pruned, "p-a", $"{epoch}-2"), (data.Reason, data.Channel, data.LastEventId));
        Assert.Equal(SseIds.Offsets(next.EventId)[0] - 1, SseIds.Offsets(reset.EventId)[0]);
        Assert.Equal(16L, SseIds.Offsets(next.EventId)[0]);
    }

    [Theory]
    [InlineData("other-list")]
    [InlineData("other-order")]
    [InlineData("fewer")]
    [InlineData("single-channel-id")]
    public async Task An_id_for_other_channels_is_one_reset_that_says_so_then_every_channel_from_its_oldest(string which)
    {
        await using var host = await GatewayTestHost.StartAsync();
        await host.PublishAsync("m-a", "a1");
        await host.PublishAsync("m-b", "b1");
        var epochA = await host.WaitForHeadAsync("m-a", 1);
        var epochB = await host.WaitForHeadAsync("m-b", 1);
        var id = which switch
        {
            "other-list" => CompositePosition.Format(0, CompositePosition.HashOf(["m-a", "m-c"]), [new ChannelPosition(epochA, 1), new ChannelPosition(epochB, 1)]),
            "other-order" => CompositePosition.Format(0, CompositePosition.HashOf(["m-b", "m-a"]), [new ChannelPosition(epochB, 1), new ChannelPosition(epochA, 1)]),
            "fewer" => CompositePosition.Format(0, CompositePosition.HashOf(["m-a"]), [new ChannelPosition(epochA, 1)]),
            _ => $"{epochA}-1",
        };

        await using var stream = await host.OpenMultiStreamAsync(["m-a", "m-b"], id);
        var reset = await stream.NextAsync();
        var replayed = await stream.NextAsync(2);

        var data = ResetData(reset);
        Assert.Equal((ResetReason.ChannelsMismatch, null, id), (data.Reason, data.Channel, data.LastEventId));
        Assert.StartsWith(".", reset.EventId, StringComparison.Ordinal);
        Assert.Equal([0L, 0L], SseIds.Offsets(reset.EventId));
        Assert.Equal(["a1", "b1"], replayed.Select(i => i.Data).Order());
    }

    [Theory]
    [InlineData("0.abcd")]
    [InlineData("x.abcd.abc-1_abc-2")]
    [InlineData("0.ABCD.abc-1_abc-2")]
    [InlineData("0.abc.abc-1_abc-2")]
    [InlineData("0.abcd.abc-1_abc-")]
    [InlineData("0.abcd.abc-1__abc-2")]
    [InlineData("0.abcd.abc-1_abc-2.")]
    [InlineData("0.abcd.abc-1_ABC-2")]
    [InlineData("1234.abcd.abc-1_abc-2")]
    [InlineData("0.abcd.abc-1_abc-2\u0000")]
    [InlineData("not an id")]
    public async Task A_malformed_id_is_400(string id)
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var response = await GetAsync(host, GatewayHttp.MultiStreamPath(["a", "b"]) + "&last_event_id=" + Uri.EscapeDataString(id));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid Last-Event-ID");
    }

    [Fact]
    public async Task An_id_longer_than_any_stream_of_MaxChannels_could_have_is_400()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Stream:MaxChannels", "2"));
        var id = "0.abcd." + string.Join('_', Enumerable.Repeat("abcdefghijklmnop-1234567890123456789", 3));
        using var response = await GetAsync(host, GatewayHttp.MultiStreamPath(["a", "b"]) + "&lastEventId=" + id);
        var body = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid Last-Event-ID");
        Assert.Contains("at most", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/stream", "No channel")]
    [InlineData("/api/stream?channel=a&channel=a", "Duplicate channel")]
    [InlineData("/api/stream?channel=a&channel=b%2Fc", "Invalid channel name")]
    [InlineData("/api/stream?channel=a&channel=", "Invalid channel name")]
    [InlineData("/api/stream?channel=1&channel=2&channel=3", "Too many channels")]
    public async Task A_bad_channel_list_is_400(string path, string title)
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Stream:MaxChannels", "2"));
        using var response = await GetAsync(host, path);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, title);
    }

    [Fact]
    public async Task Sixteen_channels_are_allowed_by_default_and_seventeen_are_not()
    {
        await using var host = await GatewayTestHost.StartAsync();
        await using (await host.OpenMultiStreamAsync(Enumerable.Range(1, 16).Select(i => $"c{i}")))
        {
        }

        using var response = await GetAsync(host, GatewayHttp.MultiStreamPath(Enumerable.Range(1, 17).Select(i => $"c{i}")));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Too many channels");
    }

    [Fact]
    public async Task A_multi_channel_stream_takes_one_admission()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Limits:MaxStreams", "1"));
        await using var stream = await host.OpenMultiStreamAsync(["l-a", "l-b", "l-c"]);
        using var refused = await GetAsync(host, GatewayTestHost.StreamPath("l-d"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(1, host.Hub.SubscriberCount);
    }

    [Fact]
    public async Task Each_channel_is_authorised_and_a_refusal_names_only_the_requested_channel()
    {
        await using var host = await GatewayTestHost.StartAsync(TestTokens.Settings(("Gateway:Auth:PublicChannels:0", "pub.*")));
        var token = TestTokens.Mint(subscribe: ["orders"]);

        using (var allowed = await GetAsync(host, GatewayHttp.MultiStreamPath(["orders", "pub.news"]), token))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var refused = await GetAsync(host, GatewayHttp.MultiStreamPath(["orders", "secret"]), token);
        var body = await AssertProblemAsync(refused, HttpStatusCode.Forbidden, "Channel not granted");
        Assert.Contains("'secret'", body, StringComparison.Ordinal);
        Assert.DoesNotContain("'orders'", body, StringComparison.Ordinal);

        using var anonymous = await GetAsync(host, GatewayHttp.MultiStreamPath(["pub.news", "orders"]));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task The_response_header_says_where_a_new_stream_starts_and_resuming_from_it_misses_nothing()
    {
        await using var host = await GatewayTestHost.StartAsync();
        await host.PublishAsync("h-a", "old");
        var epoch = await host.WaitForHeadAsync("h-a", 1);
        string start;
        await using (var stream = await host.OpenMultiStreamAsync(["h-a", "h-b"]))
        {
            start = Assert.Single(stream.Response.Headers.GetValues(LastEventIdReader.HeaderName));
        }

        Assert.Equal(CompositePosition.Format(null, CompositePosition.HashOf(["h-a", "h-b"]), [new ChannelPosition(epoch, 1), new ChannelPosition(null, 0)]), start);

        await host.PublishAsync("h-b", "b1");
        await host.PublishAsync("h-a", "a2");
        await host.WaitForHeadAsync("h-b", 1);
        await host.WaitForHeadAsync("h-a", 2);
        await using var resumed = await host.OpenMultiStreamAsync(["h-a", "h-b"], start);
        var items = await resumed.NextAsync(2);
        Assert.Equal(["a2", "b1"], items.Select(i => i.Data).Order());
        Assert.DoesNotContain(items, i => i.EventType == SseFrames.ResetEventName);
    }

    internal static MultiResetData ResetData(SseItem<string> reset)
    {
        Assert.Equal(SseFrames.ResetEventName, reset.EventType);
        return JsonSerializer.Deserialize<MultiResetData>(reset.Data, JsonSerializerOptions.Web)!;
    }

    internal static async Task<HttpResponseMessage> GetAsync(GatewayTestHost host, string path, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    internal static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(title, problem.RootElement.GetProperty("title").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
        return body;
    }

    internal sealed record MultiResetData(string Reason, string? Channel, string LastEventId, string ResumeAfter);
}
