using Amqp;
using Amqp.Framing;
using Amqp.Sasl;
using Amqp.Types;
using Azure.Messaging.ServiceBus;
using Gateway.Testing;

namespace Gateway.TestBroker.Tests;

public sealed class SettlementTests
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 30_000)]
    public async Task Abandoned_message_is_redelivered_with_a_higher_delivery_count()
    {
        await using var fixture = await BrokerFixture.StartAsync();
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(BrokerFixture.Topic, BrokerFixture.Subscription);
        await sender.SendMessageAsync(new ServiceBusMessage("retry me"));

        var first = await receiver.ReceiveMessageAsync(Wait);
        await receiver.AbandonMessageAsync(first, new Dictionary<string, object> { ["attempt"] = 1 });
        var second = await receiver.ReceiveMessageAsync(Wait);

        Assert.Equal(first.SequenceNumber, second.SequenceNumber);
        Assert.Equal(1, first.DeliveryCount);
        Assert.Equal(2, second.DeliveryCount);
        Assert.Equal(1, second.ApplicationProperties["attempt"]);
        Assert.NotEqual(first.LockToken, second.LockToken);
        await receiver.CompleteMessageAsync(second);
    }

    [Fact(Timeout = 30_000)]
    public async Task Dead_lettered_message_carries_its_reason_to_the_dead_letter_queue()
    {
        await using var fixture = await BrokerFixture.StartAsync();
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(BrokerFixture.Topic, BrokerFixture.Subscription);
        await using var deadLetters = fixture.Client.CreateReceiver(
            BrokerFixture.Topic, BrokerFixture.Subscription, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        await sender.SendMessageAsync(new ServiceBusMessage("poison") { Subject = "bad" });

        var received = await receiver.ReceiveMessageAsync(Wait);
        await receiver.DeadLetterMessageAsync(received, "NoChannel", "The application property 'channel' is missing.");

        var dead = await deadLetters.ReceiveMessageAsync(Wait);
        Assert.Equal("poison", dead.Body.ToString());
        Assert.Equal("NoChannel", dead.DeadLetterReason);
        Assert.Equal("The application property 'channel' is missing.", dead.DeadLetterErrorDescription);
        Assert.Equal(received.SequenceNumber, dead.SequenceNumber);
        await deadLetters.CompleteMessageAsync(dead);

        Assert.Equal(0, fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, BrokerFixture.Subscription));
        Assert.Empty(fixture.Broker.DeadLetters(BrokerFixture.Topic, BrokerFixture.Subscription));
    }

    [Fact(Timeout = 30_000)]
    public async Task Message_is_dead_lettered_after_max_delivery_count()
    {
        await using var fixture = await BrokerFixture.StartAsync(new TestServiceBusBrokerOptions { MaxDeliveryCount = 2 });
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(BrokerFixture.Topic, BrokerFixture.Subscription);
        await sender.SendMessageAsync(new ServiceBusMessage("flaky"));

        await receiver.AbandonMessageAsync(await receiver.ReceiveMessageAsync(Wait));
        await receiver.AbandonMessageAsync(await receiver.ReceiveMessageAsync(Wait));

        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(300)));
        var dead = Assert.Single(fixture.Broker.DeadLetters(BrokerFixture.Topic, BrokerFixture.Subscription));
        Assert.Equal("MaxDeliveryCountExceeded", dead.DeadLetterReason);
        Assert.Equal("flaky", System.Text.Encoding.UTF8.GetString(dead.Body.Span));
        Assert.Equal(2, dead.DeliveryCount);
    }

    [Fact(Timeout = 30_000)]
    public async Task Message_whose_lock_expires_is_redelivered()
    {
        var lockDuration = TimeSpan.FromSeconds(1);
        var time = BrokerClock.Create();
        await using var fixture = await BrokerFixture.StartAsync(new TestServiceBusBrokerOptions { LockDuration = lockDuration, TimeProvider = time });
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(BrokerFixture.Topic, BrokerFixture.Subscription);
        await sender.SendMessageAsync(new ServiceBusMessage("slow"));

        var first = await receiver.ReceiveMessageAsync(Wait);
        Assert.Equal(time.GetUtcNow() + lockDuration, first.LockedUntil);
        time.Advance(lockDuration);
        var second = await receiver.ReceiveMessageAsync(Wait);

        Assert.NotNull(second);
        Assert.Equal(first.SequenceNumber, second.SequenceNumber);
        Assert.Equal(2, second.DeliveryCount);
        var lockLost = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.CompleteMessageAsync(first));
        Assert.Equal(ServiceBusFailureReason.MessageLockLost, lockLost.Reason);
        await receiver.CompleteMessageAsync(second);
    }

    [Fact(Timeout = 30_000)]
    public async Task Renewed_lock_outlives_the_lock_duration()
    {
        var lockDuration = TimeSpan.FromSeconds(2);
        var time = BrokerClock.Create();
        await using var fixture = await BrokerFixture.StartAsync(new TestServiceBusBrokerOptions { LockDuration = lockDuration, TimeProvider = time });
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(BrokerFixture.Topic, BrokerFixture.Subscription);
        await sender.SendMessageAsync(new ServiceBusMessage("long work"));

        var received = await receiver.ReceiveMessageAsync(Wait);
        var firstLockedUntil = received.LockedUntil;

        // 7.5 s of broker time on a 2 s lock, renewed every 1.5 s: each renewal extends it from the current instant.
        for (var i = 0; i < 5; i++)
        {
            time.Advance(lockDuration * 3 / 4);
            await receiver.RenewMessageLockAsync(received);
            Assert.Equal(time.GetUtcNow() + lockDuration, received.LockedUntil);
        }

        Assert.True(time.GetUtcNow() > firstLockedUntil);
        var held = Assert.Single(fixture.Broker.ActiveMessages(BrokerFixture.Topic, BrokerFixture.Subscription));
        Assert.Equal(1, held.DeliveryCount); // never handed out again
        await receiver.CompleteMessageAsync(received);
        Assert.Equal(0, fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, BrokerFixture.Subscription));
    }

    [Fact(Timeout = 30_000)]
    public async Task Without_a_renewal_the_same_broker_time_loses_the_lock()
    {
        // The control for the test above: the same steps of broker time without renewing.
        var lockDuration = TimeSpan.FromSeconds(2);
        var time = BrokerClock.Create();
        await using var fixture = await BrokerFixture.StartAsync(new TestServiceBusBrokerOptions { LockDuration = lockDuration, TimeProvider = time });
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(BrokerFixture.Topic, BrokerFixture.Subscription);
        await sender.SendMessageAsync(new ServiceBusMessage("forgotten"));

        var received = await receiver.ReceiveMessageAsync(Wait);
        time.Advance(lockDuration * 3 / 4);
        time.Advance(lockDuration * 3 / 4);

        var lockLost = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.RenewMessageLockAsync(received));
        Assert.Equal(ServiceBusFailureReason.MessageLockLost, lockLost.Reason);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_broker_restart_costs_a_held_message_one_delivery_and_the_failed_abandon_after_it_none()
    {
        // As Service Bus counts: a delivery whose lock expires counts once; abandoning it afterwards fails with
        // MessageLockLost and counts nothing (the gateway's ingest abandons a batch whose locks it lost).
        var lockDuration = TimeSpan.FromSeconds(1);
        var time = BrokerClock.Create();
        await using var fixture = await BrokerFixture.StartAsync(new TestServiceBusBrokerOptions { LockDuration = lockDuration, MaxDeliveryCount = 2, TimeProvider = time });
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(BrokerFixture.Topic, BrokerFixture.Subscription);
        await sender.SendMessageAsync(new ServiceBusMessage("held across a restart"));
        var held = await receiver.ReceiveMessageAsync(Wait);

        fixture.Broker.Stop();
        fixture.Broker.Start();
        time.Advance(lockDuration);
        var abandon = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.AbandonMessageAsync(held));
        var again = await receiver.ReceiveMessageAsync(Wait);

        Assert.Equal(ServiceBusFailureReason.MessageLockLost, abandon.Reason);
        Assert.NotNull(again);
        Assert.Equal((held.SequenceNumber, 2), (again.SequenceNumber, again.DeliveryCount));
        await receiver.CompleteMessageAsync(again);
        Assert.Empty(fixture.Broker.DeadLetters(BrokerFixture.Topic, BrokerFixture.Subscription));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_receiver_whose_connection_drops_keeps_its_lock_until_it_expires_and_dead_letters_nothing()
    {
        // A killed receiver's connection just ends, with no AMQP close. Service Bus keeps its locks until they expire
        // and then delivers again, counting one delivery; nothing is dead-lettered (the chaos run kills gateways).
        var lockDuration = TimeSpan.FromSeconds(1);
        var time = BrokerClock.Create();
        await using var fixture = await BrokerFixture.StartAsync(new TestServiceBusBrokerOptions { LockDuration = lockDuration, TimeProvider = time });
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await sender.SendMessageAsync(new ServiceBusMessage("held by a receiver that dies"));
        await using var relay = TcpRelay.Start(fixture.Broker.Port);
        var (_, link) = await OpenRawReceiverAsync(relay.Port, "dies", credit: 1);
        Assert.NotNull(await link.ReceiveAsync(Wait));

        relay.Cut();
        await Waits.UntilAsync(() => fixture.Broker.ReceiverCount(BrokerFixture.Topic, BrokerFixture.Subscription) == 0, Wait, "the broker dropped the cut receiver");
        Assert.Empty(fixture.Broker.DeadLetters(BrokerFixture.Topic, BrokerFixture.Subscription));
        time.Advance(lockDuration);
        await using var receiver = fixture.Client.CreateReceiver(BrokerFixture.Topic, BrokerFixture.Subscription);
        var again = await receiver.ReceiveMessageAsync(Wait);

        Assert.NotNull(again);
        Assert.Equal(2, again.DeliveryCount);
        await receiver.CompleteMessageAsync(again);
        Assert.Empty(fixture.Broker.DeadLetters(BrokerFixture.Topic, BrokerFixture.Subscription));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_rejection_without_the_dead_letter_condition_keeps_its_error_in_the_dead_letter_description()
    {
        await using var fixture = await BrokerFixture.StartAsync();
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await sender.SendMessageAsync(new ServiceBusMessage("rejected by a plain AMQP receiver"));
        var (connection, link) = await OpenRawReceiverAsync(fixture.Broker.Port, "rejects", credit: 1);
        try
        {
            var message = await link.ReceiveAsync(Wait);
            Assert.NotNull(message);
            link.Reject(message, new Error(new Symbol("amqp:internal-error")) { Description = "gave up" });
            await Waits.UntilAsync(() => fixture.Broker.DeadLetters(BrokerFixture.Topic, BrokerFixture.Subscription).Count == 1, Wait, "the rejected message is dead-lettered");
        }
        finally
        {
            await connection.CloseAsync();
        }

        var dead = Assert.Single(fixture.Broker.DeadLetters(BrokerFixture.Topic, BrokerFixture.Subscription));
        Assert.Null(dead.DeadLetterReason);
        Assert.Equal("rejected with amqp:internal-error: gave up", dead.DeadLetterErrorDescription);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_delivery_released_unprocessed_does_not_count_towards_the_max_delivery_count()
    {
        await using var fixture = await BrokerFixture.StartAsync(new TestServiceBusBrokerOptions { MaxDeliveryCount = 2 });
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(BrokerFixture.Topic, BrokerFixture.Subscription);
        await sender.SendMessageAsync(new ServiceBusMessage("given back"));

        // A plain AMQP receiver with credit for three deliveries gives the message back unprocessed each time, as the
        // Service Bus client does with a message that arrives while no receive call waits for it.
        var (connection, link) = await OpenRawReceiverAsync(fixture.Broker.Port, "raw-receiver", credit: 3);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var message = await link.ReceiveAsync(Wait);
                Assert.NotNull(message);
                link.Release(message);
            }

            await link.CloseAsync();
        }
        finally
        {
            await connection.CloseAsync();
        }

        // Three deliveries released, none failed: one abandon (of at most two failed deliveries) does not dead-letter it.
        var first = await receiver.ReceiveMessageAsync(Wait);
        Assert.Equal(1, first.DeliveryCount);
        await receiver.AbandonMessageAsync(first);
        var second = await receiver.ReceiveMessageAsync(Wait);
        Assert.NotNull(second);
        Assert.Equal(2, second.DeliveryCount);
        await receiver.CompleteMessageAsync(second);
        Assert.Empty(fixture.Broker.DeadLetters(BrokerFixture.Topic, BrokerFixture.Subscription));
    }

    /// <summary>The SASL mechanism the Service Bus client uses (MSSBCBS), which the broker accepts without a credential.</summary>
    private sealed class ServiceBusCbsSasl() : SaslProfile(new Symbol("MSSBCBS"))
    {
        protected override ITransport UpgradeTransport(ITransport transport) => transport;

        protected override DescribedList GetStartCommand(string hostname) => new SaslInit { Mechanism = "MSSBCBS" };

        protected override DescribedList OnCommand(DescribedList command) => null!;
    }

    /// <summary>A plain AMQP receiver on the fixture's subscription (no Service Bus client), with a fixed credit.</summary>
    static async Task<(Connection Connection, ReceiverLink Link)> OpenRawReceiverAsync(int port, string linkName, int credit)
    {
        var factory = new ConnectionFactory();
        factory.SASL.Profile = new ServiceBusCbsSasl();
        var connection = await factory.CreateAsync(new Address("127.0.0.1", port, null, null, "/", "amqp"));
        var link = new ReceiverLink(new Session(connection), linkName, $"{BrokerFixture.Topic}/Subscriptions/{BrokerFixture.Subscription}");
        link.SetCredit(credit, autoRestore: false);
        return (connection, link);
    }
}
