using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;

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
        await WaitUntil(() => fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, BrokerFixture.Subscription) == 0);
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
        await WaitUntil(() => bodies.Contains("before")
            && fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, BrokerFixture.Subscription) == 0);

        fixture.Broker.Stop();
        // The outage is real: nothing reaches the broker while it is stopped.
        await Assert.ThrowsAsync<ServiceBusException>(() => sender.SendMessageAsync(new ServiceBusMessage("during")));
        fixture.Broker.Start();
        await sender.SendMessageAsync(new ServiceBusMessage("after"));

        await WaitUntil(() => bodies.Contains("after"), TimeSpan.FromSeconds(30));
        await processor.StopProcessingAsync();
        Assert.Equal(["before", "after"], bodies);
        await WaitUntil(() => fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, BrokerFixture.Subscription) == 0);
    }

    [Fact(Timeout = 30_000)]
    public async Task Processor_renews_the_lock_of_a_slow_message()
    {
        await using var fixture = await BrokerFixture.StartAsync(new TestServiceBusBrokerOptions { LockDuration = TimeSpan.FromSeconds(2) });
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var processor = fixture.Client.CreateProcessor(BrokerFixture.Topic, BrokerFixture.Subscription, new ServiceBusProcessorOptions
        {
            MaxAutoLockRenewalDuration = TimeSpan.FromSeconds(30),
        });
        var deliveries = new ConcurrentQueue<int>();
        processor.ProcessMessageAsync += async args =>
        {
            deliveries.Enqueue(args.Message.DeliveryCount);
            await Task.Delay(TimeSpan.FromSeconds(4));
        };
        processor.ProcessErrorAsync += args => Task.CompletedTask;
        await processor.StartProcessingAsync();

        await sender.SendMessageAsync(new ServiceBusMessage("slow"));
        await WaitUntil(() => !deliveries.IsEmpty && fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, BrokerFixture.Subscription) == 0);
        await processor.StopProcessingAsync();

        // Two lock durations of work, one delivery: the processor's renewals kept the lock.
        Assert.Equal([1], deliveries);
    }

    [Fact(Timeout = 30_000)]
    public async Task Message_in_flight_during_an_outage_is_redelivered_after_its_lock_expires()
    {
        await using var fixture = await BrokerFixture.StartAsync(new TestServiceBusBrokerOptions { LockDuration = TimeSpan.FromSeconds(1) });
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(BrokerFixture.Topic, BrokerFixture.Subscription);
        await sender.SendMessageAsync(new ServiceBusMessage("in flight"));
        var first = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10));

        fixture.Broker.Stop();
        fixture.Broker.Start();

        // Nobody settles it: the lock outlives the connection, then lapses.
        var again = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(first.SequenceNumber, again.SequenceNumber);
        Assert.Equal(2, again.DeliveryCount);
        await receiver.CompleteMessageAsync(again);
    }

    internal static async Task WaitUntil(Func<bool> condition, TimeSpan? timeout = null)
    {
        using var expiry = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(50, expiry.Token);
        }
    }
}
