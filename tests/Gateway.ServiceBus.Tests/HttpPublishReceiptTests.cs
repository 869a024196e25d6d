using System.Net;
using Azure.Messaging.ServiceBus;
using Gateway.Testing;
using Gateway.Testing.Http;
using Gateway.Testing.ServiceBus;
using Gateway.Testing.Sse;

namespace Gateway.ServiceBus.Tests;

/// <summary>
/// HTTP publish with Service Bus: the send is durable when it completes, so the answer is <c>202 Accepted</c> without an
/// id (it is assigned at ingest), and an <c>Idempotency-Key</c> becomes the message's MessageId, for the topic's
/// duplicate detection — the same for every retry, different per channel.
/// </summary>
public sealed class HttpPublishReceiptTests
{
    [Fact]
    public async Task A_publish_is_answered_202_without_an_id_and_a_key_becomes_a_stable_MessageId_per_channel()
    {
        await using var bus = await BusEnvironment.StartAsync();
        bus.Broker.CreateSubscription(BusEnvironment.Topic, "audit");
        await using var gateway = await bus.StartGatewayAsync();
        await using var stream = await gateway.OpenStreamAsync("sb-receipt");

        var first = await gateway.Client.SendAsync("sb-receipt", "one", "key-1");
        var retry = await gateway.Client.SendAsync("sb-receipt", "one", "key-1");
        var elsewhere = await gateway.Client.SendAsync("sb-other", "one", "key-1");

        Assert.All([first, retry, elsewhere], r => Assert.Equal((HttpStatusCode.Accepted, (string?)null), (r.Status, r.Id)));
        await using var audit = bus.Client.CreateReceiver(BusEnvironment.Topic, "audit");
        var copies = new List<ServiceBusReceivedMessage>();
        while (copies.Count < 3)
        {
            copies.AddRange(await audit.ReceiveMessagesAsync(3 - copies.Count, Waits.Item));
        }

        var receipt = copies.Where(c => (string)c.ApplicationProperties["channel"] == "sb-receipt").Select(c => c.MessageId).Distinct().ToList();
        var other = copies.Single(c => (string)c.ApplicationProperties["channel"] == "sb-other").MessageId;
        Assert.Single(receipt);
        Assert.NotEqual(receipt[0], other);
        Assert.True(receipt[0].Length <= 128, $"MessageId {receipt[0]} is longer than Service Bus allows.");

        // The event itself reaches the stream through ingest, as any producer's does.
        Assert.Equal("one", (await stream.NextAsync()).Data);
    }
}
