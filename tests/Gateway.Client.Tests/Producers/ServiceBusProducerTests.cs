using Gateway.Client.Producers;
using Gateway.Client.Publishing;
using Gateway.Client.Streams;
using Gateway.Client.Tests.Infrastructure;
using Gateway.TestBroker;
using Gateway.Testing.ServiceBus;

namespace Gateway.Client.Tests.Producers;

/// <summary>
/// The producer helper's messages through the real Service Bus client and the in-repo test broker into the gateway's
/// ingest, read back with the stream client.
/// </summary>
public sealed class ServiceBusProducerTests
{
    [Fact]
    public async Task Messages_built_by_the_helper_are_ingested_and_streamed_with_their_channel_name_and_data()
    {
        await using var bus = await BusEnvironment.StartAsync();
        await using var gateway = await bus.StartGatewayAsync();
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        await using var reader = new CollectingReader();
        reader.Start(new GatewayStreamClient(http, reader.Reporting()).Channel("stocks.msft", "earliest"));
        await reader.UntilConnectionsAsync(1);

        await bus.Producer.SendMessageAsync(GatewayMessages.Create("stocks.msft", """{"price":512.3}""", "price"));
        await bus.Producer.SendMessageAsync(GatewayMessages.Create("stocks.msft", "plain"));

        await reader.UntilEventsAsync(2);
        Assert.Null(reader.Failure);

        // Both, each once; their order is the log's (Service Bus without sessions does not promise FIFO).
        Assert.Equal(
            [("message", "plain"), ("price", """{"price":512.3}""")],
            reader.Events.Select(e => (e.EventName, e.Data)).OrderBy(e => e.EventName, StringComparer.Ordinal));
        Assert.All(reader.Events, e => Assert.Equal("stocks.msft", e.Channel));
    }

    [Fact]
    public async Task A_producer_resend_with_the_message_id_of_an_http_publishs_key_is_dropped_by_duplicate_detection()
    {
        await using var bus = await BusEnvironment.StartAsync(new TestServiceBusBrokerOptions { DuplicateDetectionWindow = TimeSpan.FromMinutes(10) });
        bus.Broker.CreateSubscription(BusEnvironment.Topic, "audit");
        await using var gateway = await bus.StartGatewayAsync();
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };

        // Over HTTP with a key, then the same event from an SDK producer with the MessageId the helper derives from that key.
        var receipt = await new GatewayPublisher(http).PublishAsync("orders", "paid", idempotencyKey: "order-42");
        Assert.Equal(System.Net.HttpStatusCode.Accepted, receipt.Status);
        await bus.Producer.SendMessageAsync(GatewayMessages.Create("orders", "paid", messageId: GatewayMessages.MessageIdFor("orders", "order-42")));
        await bus.Producer.SendMessageAsync(GatewayMessages.Create("orders", "shipped"));

        // What the topic let through, as a second subscription saw it: sends are sequential, so once "shipped" is there a
        // resend that got through would be before it.
        await using var audit = bus.Client.CreateReceiver(BusEnvironment.Topic, "audit");
        var seen = new List<string>();
        using var timeout = new CancellationTokenSource(Testing.Waits.Item);
        while (!seen.Contains("shipped"))
        {
            foreach (var message in await audit.ReceiveMessagesAsync(10, TimeSpan.FromSeconds(1), timeout.Token))
            {
                seen.Add(message.Body.ToString());
                await audit.CompleteMessageAsync(message, timeout.Token);
            }
        }

        Assert.Equal(["paid", "shipped"], seen);
        await gateway.WaitForHeadAsync("orders", 2);
    }
}
