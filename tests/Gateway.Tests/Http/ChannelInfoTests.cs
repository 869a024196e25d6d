using System.Net;
using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;
using Gateway.Tests.Access;

namespace Gateway.Tests.Http;

/// <summary><c>GET /api/channels/{channel}</c>: head, oldest retained id, and the streams following it on this instance.</summary>
public sealed class ChannelInfoTests
{
    [Fact]
    public async Task A_channel_with_events_reports_its_head_oldest_and_subscribers()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Retention:MaxEventsPerChannel", "5"));
        for (var i = 1; i <= 12; i++)
        {
            await host.PublishAsync("info", $"e{i}");
        }

        var epoch = await host.WaitForHeadAsync("info", 12);
        await using var single = await host.OpenStreamAsync("info");
        await using var multi = await host.OpenMultiStreamAsync(["other", "info"]);
        await Waits.UntilAsync(() => host.Hub.SubscriberCount == 2, Waits.Item, "both streams to subscribe");
        var oldest = await host.Log.GetOldestOffsetAsync("info", CancellationToken.None);

        var info = await GetInfoAsync(host.Client, "info");

        Assert.Equal("info", info.GetProperty("channel").GetString());
        Assert.Equal($"{epoch}-12", info.GetProperty("head").GetString());
        Assert.Equal($"{epoch}-{oldest}", info.GetProperty("oldest").GetString());
        Assert.True(oldest > 1);
        Assert.Equal(2, info.GetProperty("subscribers").GetInt32());
    }

    [Fact]
    public async Task A_channel_without_a_log_is_200_with_null_ids()
    {
        await using var host = await GatewayTestHost.StartAsync();
        var info = await GetInfoAsync(host.Client, "never-written");
        Assert.Equal(JsonValueKind.Null, info.GetProperty("head").ValueKind);
        Assert.Equal(JsonValueKind.Null, info.GetProperty("oldest").ValueKind);
        Assert.Equal(0, info.GetProperty("subscribers").GetInt32());
    }

    [Fact]
    public async Task It_needs_the_subscribe_grant_and_a_refusal_is_the_same_whether_the_channel_exists_or_not()
    {
        await using var host = await GatewayTestHost.StartAsync(TestTokens.Settings());
        await AccessRequests.PublishAsync(host, "exists", "x", TestTokens.Mint(publish: ["exists"]));
        await host.WaitForHeadAsync("exists", 1);
        var token = TestTokens.Mint(subscribe: ["mine"]);

        using var allowed = await MultiChannelStreamTests.GetAsync(host, GatewayHttp.ChannelInfoPath("mine"), token);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);

        using var existing = await MultiChannelStreamTests.GetAsync(host, GatewayHttp.ChannelInfoPath("exists"), token);
        using var missing = await MultiChannelStreamTests.GetAsync(host, GatewayHttp.ChannelInfoPath("missing"), token);
        var a = await MultiChannelStreamTests.AssertProblemAsync(existing, HttpStatusCode.Forbidden, "Channel not granted");
        var b = await MultiChannelStreamTests.AssertProblemAsync(missing, HttpStatusCode.Forbidden, "Channel not granted");
        Assert.Equal(Detail(a).Replace("exists", "missing", StringComparison.Ordinal), Detail(b));

        using var anonymous = await MultiChannelStreamTests.GetAsync(host, GatewayHttp.ChannelInfoPath("exists"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task An_invalid_channel_name_is_400()
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var response = await host.Client.GetAsync("/api/channels/bad%20name");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static string Detail(string problem) => JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString()!;

    private static async Task<JsonElement> GetInfoAsync(HttpClient client, string channel)
    {
        using var response = await client.GetAsync(GatewayHttp.ChannelInfoPath(channel));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
