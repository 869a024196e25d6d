using System.Net;
using Gateway.Client.Producers;
using Gateway.Client.Publishing;
using Gateway.Testing.Hosting;

namespace Gateway.Client.Tests.Publishing;

/// <summary>The HTTP publisher against the real server host: receipts, idempotency keys, refusals before and after the wire.</summary>
public sealed class PublisherTests
{
    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_is_answered_with_the_first_attempts_id()
    {
        await using var server = await GatewayTestHost.StartAsync();
        var publisher = new GatewayPublisher(server.Client);

        var first = await publisher.PublishAsync("orders", "paid", "status", idempotencyKey: "order-42");
        var retry = await publisher.PublishAsync("orders", "paid", "status", idempotencyKey: "order-42");

        Assert.Equal((HttpStatusCode.Created, false), (first.Status, first.IsRepeat));
        Assert.Equal((HttpStatusCode.OK, true, first.Id), (retry.Status, retry.IsRepeat, retry.Id));
        Assert.Equal(1, (await server.Log.GetHeadAsync("orders", CancellationToken.None)).Offset);
    }

    [Fact]
    public async Task An_event_the_gateway_would_refuse_throws_before_anything_is_sent()
    {
        await using var server = await GatewayTestHost.StartAsync();
        var publisher = new GatewayPublisher(server.Client);

        var reserved = await Assert.ThrowsAsync<InvalidGatewayEventException>(() => publisher.PublishAsync("feed", "{}", "reset"));
        var channel = await Assert.ThrowsAsync<InvalidGatewayEventException>(() => publisher.PublishAsync("feed/x", "data"));
        await Assert.ThrowsAsync<ArgumentException>(() => publisher.PublishAsync("feed", "data", idempotencyKey: "has space"));

        Assert.Equal(GatewayEventReasons.InvalidEventName, reserved.Reason);
        Assert.Contains("reserved", reserved.Description, StringComparison.Ordinal);
        Assert.Equal(GatewayEventReasons.InvalidChannel, channel.Reason);
        Assert.False((await server.Log.GetHeadAsync("feed", CancellationToken.None)).Exists);
    }

    [Fact]
    public async Task A_refusal_by_the_gateway_carries_its_status_and_detail()
    {
        // The gateway is configured tighter than the client's default limits: the gateway has the last word.
        await using var server = await GatewayTestHost.StartAsync(("Gateway:Events:MaxDataBytes", "16"));
        var publisher = new GatewayPublisher(server.Client);

        var refused = await Assert.ThrowsAsync<GatewayRequestException>(() => publisher.PublishAsync("feed", new string('x', 17)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.False(refused.IsTransient);
        Assert.Contains("at most 16", refused.Detail, StringComparison.Ordinal);

        // With the gateway's limits the producer refuses it itself.
        var limits = new GatewayEventLimits { MaxDataBytes = 16 };
        var local = await Assert.ThrowsAsync<InvalidGatewayEventException>(() => new GatewayPublisher(server.Client, limits).PublishAsync("feed", new string('x', 17)));
        Assert.Equal(GatewayEventReasons.InvalidData, local.Reason);
    }
}
