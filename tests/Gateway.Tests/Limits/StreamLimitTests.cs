using System.Net;
using Gateway.Core.Limits;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;

namespace Gateway.Tests.Limits;

/// <summary><c>Gateway:Limits:MaxStreams</c> and <c>MaxStreamsPerClient</c> on the real server over HTTP.</summary>
public sealed class StreamLimitTests
{
    [Fact]
    public async Task One_stream_over_MaxStreams_gets_503_and_a_closed_stream_frees_its_slot()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Limits:MaxStreams", "2"), ("Gateway:Limits:StreamRetryAfter", "00:00:07"));
        var first = await host.OpenStreamAsync("a");
        await using var second = await host.OpenStreamAsync("b");

        using (var refused = await LimitResponses.GetStreamAsync(host.Client, "c"))
        {
            Assert.Equal(TimeSpan.FromSeconds(7), await LimitResponses.AssertRefusedAsync(refused, HttpStatusCode.ServiceUnavailable, "MaxStreams"));
        }

        // The client leaves; the server notices, ends the stream and gives the slot back.
        await first.DisposeAsync();
        await using var third = await OpenWhenAdmittedAsync(host, "c");
        await Waits.UntilAsync(() => host.Hub.SubscriberCount == 2, Waits.Item, "the third stream to subscribe");
        await host.PublishAsync("c", "hello");
        Assert.Equal("hello", (await third.NextAsync()).Data);
    }

    [Fact]
    public async Task A_client_over_MaxStreamsPerClient_gets_429_while_the_instance_has_room()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Limits:MaxStreamsPerClient", "2"));
        await using var first = await host.OpenStreamAsync("a");
        await using var second = await host.OpenStreamAsync("a");

        using var refused = await LimitResponses.GetStreamAsync(host.Client, "b");
        await LimitResponses.AssertRefusedAsync(refused, HttpStatusCode.TooManyRequests, "MaxStreamsPerClient");
        Assert.Equal(2, host.Hub.SubscriberCount);
    }

    [Fact]
    public async Task Behind_a_configured_proxy_each_forwarded_client_has_its_own_streams()
    {
        // Loopback is a trusted proxy by default; the section turns the forwarded headers on.
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Limits:MaxStreamsPerClient", "1"), ("Gateway:ForwardedHeaders:ForwardLimit", "1"));
        using var alice = ClientBehindProxy(host, "203.0.113.5");
        using var bob = ClientBehindProxy(host, "203.0.113.6");

        await using var aliceStream = await SseStream.OpenAsync(alice, GatewayTestHost.StreamPath("a"));
        using (var refused = await LimitResponses.GetStreamAsync(alice, "b"))
        {
            await LimitResponses.AssertRefusedAsync(refused, HttpStatusCode.TooManyRequests, "MaxStreamsPerClient");
        }

        await using var bobStream = await SseStream.OpenAsync(bob, GatewayTestHost.StreamPath("a"));
        Assert.Equal(2, host.Hub.SubscriberCount);
    }

    [Fact]
    public async Task Without_forwarded_headers_configured_a_forged_X_Forwarded_For_is_ignored()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Limits:MaxStreamsPerClient", "1"));
        using var alice = ClientBehindProxy(host, "203.0.113.5");
        using var mallory = ClientBehindProxy(host, "203.0.113.99");

        await using var aliceStream = await SseStream.OpenAsync(alice, GatewayTestHost.StreamPath("a"));
        using var refused = await LimitResponses.GetStreamAsync(mallory, "a");
        await LimitResponses.AssertRefusedAsync(refused, HttpStatusCode.TooManyRequests, "MaxStreamsPerClient");
    }

    [Fact]
    public void A_stream_lease_is_held_until_disposed()
    {
        using var limiter = new StreamLimiter(Microsoft.Extensions.Options.Options.Create(new LimitOptions { MaxStreams = 1 }));
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();

        var first = limiter.TryAdmit(context);
        using (var second = limiter.TryAdmit(context))
        {
            Assert.True(first.IsAdmitted);
            Assert.Equal(StreamRefusal.Instance, second.Refusal);
        }

        first.Dispose();
        using var third = limiter.TryAdmit(context);
        Assert.True(third.IsAdmitted);
    }

    private static HttpClient ClientBehindProxy(GatewayTestHost host, string clientAddress)
    {
        var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = Waits.Request };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", clientAddress);
        return client;
    }

    /// <summary>Retries a refused stream until the server has given back a slot (a bounded poll; the refusals cost nothing).</summary>
    private static async Task<SseStream> OpenWhenAdmittedAsync(GatewayTestHost host, string channel)
    {
        var deadline = DateTime.UtcNow + Waits.Item;
        while (true)
        {
            try
            {
                return await host.OpenStreamAsync(channel);
            }
            catch (InvalidOperationException refused) when (refused.Message.Contains("503", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }
}
