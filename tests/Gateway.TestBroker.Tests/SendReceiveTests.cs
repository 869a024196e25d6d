using Azure.Messaging.ServiceBus;

namespace Gateway.TestBroker.Tests;

/// <summary>Smoke tests of the broker against the pinned client version: a client upgrade that breaks the fake shows here.</summary>
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

    [Fact(Timeout = 30_000)]
    public async Task Batch_is_unpacked_into_its_messages_in_order()
    {
        await using var fixture = await BrokerFixture.StartAsync();
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(BrokerFixture.Topic, BrokerFixture.Subscription);

        using var batch = await sender.CreateMessageBatchAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(batch.TryAddMessage(new ServiceBusMessage($"event-{i}") { Subject = "tick" }));
        }

        await sender.SendMessagesAsync(batch);

        var received = await ReceiveAsync(receiver, 5);
        Assert.Equal(["event-0", "event-1", "event-2", "event-3", "event-4"], received.Select(m => m.Body.ToString()));
        Assert.Equal([1L, 2, 3, 4, 5], received.Select(m => m.SequenceNumber));
        Assert.All(received, m => Assert.Equal("tick", m.Subject));
    }

    [Fact(Timeout = 30_000)]
    public async Task Each_subscription_gets_its_own_copy()
    {
        await using var fixture = await BrokerFixture.StartAsync(null, "a", "b");
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiverA = fixture.Client.CreateReceiver(BrokerFixture.Topic, "a");
        await using var receiverB = fixture.Client.CreateReceiver(BrokerFixture.Topic, "b");

        await sender.SendMessagesAsync([new ServiceBusMessage("one"), new ServiceBusMessage("two")]);

        var fromA = await ReceiveAsync(receiverA, 2);
        await receiverA.CompleteMessageAsync(fromA[0]);
        await receiverA.CompleteMessageAsync(fromA[1]);

        // Completing in one subscription leaves the other's copies alone.
        Assert.Equal(2, fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, "b"));
        var fromB = await ReceiveAsync(receiverB, 2);
        Assert.Equal(["one", "two"], fromA.Select(m => m.Body.ToString()));
        Assert.Equal(["one", "two"], fromB.Select(m => m.Body.ToString()));
    }

    [Fact(Timeout = 30_000)]
    public async Task Peek_returns_messages_without_locking_them()
    {
        await using var fixture = await BrokerFixture.StartAsync();
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(BrokerFixture.Topic, BrokerFixture.Subscription);
        await sender.SendMessagesAsync([new ServiceBusMessage("p1"), new ServiceBusMessage("p2")]);

        var peeked = await receiver.PeekMessagesAsync(10);

        Assert.Equal(["p1", "p2"], peeked.Select(m => m.Body.ToString()));
        var received = await ReceiveAsync(receiver, 2);
        Assert.Equal(["p1", "p2"], received.Select(m => m.Body.ToString()));
    }

    [Fact(Timeout = 30_000)]
    public async Task Receive_and_delete_removes_the_message_when_it_is_sent()
    {
        await using var fixture = await BrokerFixture.StartAsync();
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(
            BrokerFixture.Topic, BrokerFixture.Subscription, new ServiceBusReceiverOptions { ReceiveMode = ServiceBusReceiveMode.ReceiveAndDelete });
        await sender.SendMessageAsync(new ServiceBusMessage("once"));

        var received = await receiver.ReceiveMessageAsync(Wait);

        Assert.Equal("once", received.Body.ToString());
        Assert.Equal(0, fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, BrokerFixture.Subscription));
    }

    [Fact(Timeout = 30_000)]
    public async Task Unknown_entity_is_reported_as_not_found()
    {
        await using var fixture = await BrokerFixture.StartAsync();
        await using var sender = fixture.Client.CreateSender("no-such-topic");

        var error = await Assert.ThrowsAsync<ServiceBusException>(() => sender.SendMessageAsync(new ServiceBusMessage("x")));

        Assert.Equal(ServiceBusFailureReason.MessagingEntityNotFound, error.Reason);
    }

    internal static async Task<List<ServiceBusReceivedMessage>> ReceiveAsync(ServiceBusReceiver receiver, int count)
    {
        var received = new List<ServiceBusReceivedMessage>();
        using var timeout = new CancellationTokenSource(Wait);
        while (received.Count < count)
        {
            received.AddRange(await receiver.ReceiveMessagesAsync(count - received.Count, TimeSpan.FromSeconds(2), timeout.Token));
        }

        return received;
    }
}
