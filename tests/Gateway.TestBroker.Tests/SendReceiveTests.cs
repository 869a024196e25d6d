using Azure.Messaging.ServiceBus;

namespace Gateway.TestBroker.Tests;

public sealed class SendReceiveTests
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 30_000)]
    public async Task Sent_message_is_received_with_its_properties_and_completed()
    {
        await using var fixture = await BrokerFixture.StartAsync();
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(BrokerFixture.Topic, BrokerFixture.Subscription);

        var message = new ServiceBusMessage("hello"u8.ToArray()) { Subject = "greeting", MessageId = "m-1" };
        message.ApplicationProperties["channel"] = "news";
        await sender.SendMessageAsync(message);

        var received = await receiver.ReceiveMessageAsync(Wait);

        Assert.NotNull(received);
        Assert.Equal("hello", received.Body.ToString());
        Assert.Equal("greeting", received.Subject);
        Assert.Equal("m-1", received.MessageId);
        Assert.Equal("news", received.ApplicationProperties["channel"]);
        Assert.Equal(1, received.DeliveryCount);
        Assert.Equal(1, received.SequenceNumber);
        Assert.NotEqual(Guid.Empty.ToString(), received.LockToken);
        Assert.True(received.LockedUntil > DateTimeOffset.UtcNow);

        await receiver.CompleteMessageAsync(received);

        Assert.Equal(0, fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, BrokerFixture.Subscription));
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(300)));
    }
}
