using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using Gateway.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.TestBroker.Tests;

public sealed class ProcessorTests
{
    [Theory(Timeout = 30_000)]
    [InlineData(0)]
    [InlineData(20)]
    public async Task Processor_receives_and_completes_every_message(int prefetchCount)
    {
        await using var fixture = await BrokerFixture.StartAsync();
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var processor = fixture.Client.CreateProcessor(BrokerFixture.Topic, BrokerFixture.Subscription, new ServiceBusProcessorOptions
        {
            PrefetchCount = prefetchCount,
            MaxConcurrentCalls = 2,
        });
        var bodies = new ConcurrentBag<string>();
        var allSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        processor.ProcessMessageAsync += args =>
        {
            bodies.Add(args.Message.Body.ToString());
            if (bodies.Count == 20)
            {
                allSeen.TrySetResult();
            }

            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += args => Task.CompletedTask;
        await processor.StartProcessingAsync();

        for (var i = 0; i < 20; i++)
        {
            await sender.SendMessageAsync(new ServiceBusMessage($"m{i}"));
        }

        await allSeen.Task.WaitAsync(TimeSpan.FromSeconds(15));
        await processor.StopProcessingAsync();

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"m{i}").Order(), bodies.Order());
        await Waits.UntilAsync(() => fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, BrokerFixture.Subscription) == 0, Waits.Item, "the subscription to be drained");
    }

    [Fact(Timeout = 45_000)]
    public async Task Processor_resumes_after_the_broker_restarts()
    {
        await using var fixture = await BrokerFixture.StartAsync(new TestServiceBusBrokerOptions { LockDuration = TimeSpan.FromSeconds(2) });
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var processor = fixture.Client.CreateProcessor(BrokerFixture.Topic, BrokerFixture.Subscription);
        var bodies = new ConcurrentQueue<string>();
        processor.ProcessMessageAsync += args =>
        {
            bodies.Enqueue(args.Message.Body.ToString());
            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += args => Task.CompletedTask;
        await processor.StartProcessingAsync();
        await sender.SendMessageAsync(new ServiceBusMessage("before"));
        await Waits.UntilAsync(() => bodies.Contains("before")
            && fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, BrokerFixture.Subscription) == 0, Waits.Item, "the subscription to be drained");

        fixture.Broker.Stop();
        // The outage is real: nothing reaches the broker while it is stopped.
        await Assert.ThrowsAsync<ServiceBusException>(() => sender.SendMessageAsync(new ServiceBusMessage("during")));
        fixture.Broker.Start();
        await sender.SendMessageAsync(new ServiceBusMessage("after"));

        await Waits.UntilAsync(() => bodies.Contains("after"), TimeSpan.FromSeconds(30), "the message sent after the restart");
        await processor.StopProcessingAsync();
        Assert.Equal(["before", "after"], bodies);
        await Waits.UntilAsync(() => fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, BrokerFixture.Subscription) == 0, Waits.Item, "the subscription to be drained");
    }

    [Fact(Timeout = 30_000)]
    public async Task Processor_renews_the_lock_of_a_slow_message()
    {
        var lockDuration = TimeSpan.FromSeconds(2);
        var step = lockDuration * 3 / 4;
        var time = BrokerClock.Create();
        await using var fixture = await BrokerFixture.StartAsync(new TestServiceBusBrokerOptions { LockDuration = lockDuration, TimeProvider = time });
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var processor = fixture.Client.CreateProcessor(BrokerFixture.Topic, BrokerFixture.Subscription, new ServiceBusProcessorOptions
        {
            MaxAutoLockRenewalDuration = TimeSpan.FromSeconds(30),
        });
        var deliveries = new ConcurrentQueue<int>();
        var errors = new ConcurrentQueue<Exception>();
        var lapsedWithoutRenewal = false;
        processor.ProcessMessageAsync += async args =>
        {
            deliveries.Enqueue(args.Message.DeliveryCount);
            var firstLockedUntil = args.Message.LockedUntil;

            // The broker's clock moves only after the processor has renewed the lock at the clock's current instant
            // (LockedUntil = now + lock duration), and then by less than a lock duration: a renewed lock survives each
            // step, an unrenewed one would lapse in the broker's sweep on the second (the sweep runs inside Advance).
            for (var i = 0; i < 3; i++)
            {
                await Waits.UntilAsync(() => args.Message.LockedUntil >= time.GetUtcNow() + lockDuration, Waits.Item, "the processor to renew the lock");
                time.Advance(step);
            }

            lapsedWithoutRenewal = time.GetUtcNow() > firstLockedUntil;
        };
        processor.ProcessErrorAsync += args =>
        {
            errors.Enqueue(args.Exception);
            return Task.CompletedTask;
        };
        await processor.StartProcessingAsync();

        // Broker time starts at the processor's own (real) time, from which it schedules its renewals.
        BrokerClock.CatchUp(time);
        await sender.SendMessageAsync(new ServiceBusMessage("slow"));
        await Waits.UntilAsync(() => !deliveries.IsEmpty && fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, BrokerFixture.Subscription) == 0, TimeSpan.FromSeconds(20), "the delivery to be processed and completed");
        await processor.StopProcessingAsync();

        // More than two lock durations of broker time, one delivery, completed without a lost lock: the renewals kept it.
        Assert.True(lapsedWithoutRenewal, "the broker's clock never passed the first lock's expiry");
        Assert.Equal([1], deliveries);
        Assert.Empty(errors);
    }

    [Fact(Timeout = 30_000)]
    public async Task Message_in_flight_during_an_outage_is_redelivered_after_its_lock_expires()
    {
        var lockDuration = TimeSpan.FromSeconds(1);
        var time = BrokerClock.Create();
        await using var fixture = await BrokerFixture.StartAsync(new TestServiceBusBrokerOptions { LockDuration = lockDuration, TimeProvider = time });
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(BrokerFixture.Topic, BrokerFixture.Subscription);
        await sender.SendMessageAsync(new ServiceBusMessage("in flight"));
        var first = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10));

        fixture.Broker.Stop();
        fixture.Broker.Start();

        // Nobody settles it: the lock outlives the connection (still held half-way through), then lapses.
        time.Advance(lockDuration / 2);
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(200)));
        time.Advance(lockDuration);
        var again = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(first.SequenceNumber, again.SequenceNumber);
        Assert.Equal(2, again.DeliveryCount);
        await receiver.CompleteMessageAsync(again);
    }
}
