using System.Text;
using Gateway.Azure.ServiceBus;
using Gateway.Client.Producers;
using Gateway.Core.Bus;
using Gateway.Core.Events;
using Gateway.TestBroker;
using Gateway.Testing;
using Gateway.Testing.ServiceBus;
using Gateway.Testing.Sse;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Gateway.ServiceBus.Tests;

/// <summary>Events wait in Service Bus while the gateway or the broker is away; nothing is lost or doubled.</summary>
public sealed class RecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Messages_sent_while_no_gateway_runs_are_ingested_when_one_starts_and_replayed()
    {
        await using var bus = await BusEnvironment.StartAsync();
        foreach (var data in new[] { "early-1", "early-2", "early-3" })
        {
            await bus.Producer.SendMessageAsync(GatewayMessages.Create("backlog", data));
        }

        await using var gateway = await bus.StartGatewayAsync();
        await Waits.UntilAsync(() => bus.Broker.ActiveMessageCount(BusEnvironment.Topic, BusEnvironment.Subscription) == 0, Waits.Item, "the backlog to be ingested");
        var epoch = (await gateway.Log.GetHeadAsync("backlog", CancellationToken.None)).Epoch;

        await using var stream = await gateway.OpenStreamAsync("backlog", $"{epoch}-0");
        var items = new[] { await stream.NextAsync(), await stream.NextAsync(), await stream.NextAsync() };
        Assert.Equal([1L, 2L, 3L], items.Select(SseIds.Offset));
        Assert.Equal(["early-1", "early-2", "early-3"], items.Select(i => i.Data).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_broker_outage_in_the_middle_of_a_batch_loses_and_doubles_nothing()
    {
        // Short locks: what the gateway held when the broker went away comes back soon if it cannot be completed.
        await using var bus = await BusEnvironment.StartAsync(new TestServiceBusBrokerOptions { LockDuration = TimeSpan.FromSeconds(3) });
        var hold = new FanoutHold();
        await using var gateway = await bus.StartGatewayAsync(
            configure: s => s.AddSingleton<IEventFanout>(sp => hold.Around(sp.GetRequiredService<ServiceBusFanout>())));
        await using var stream = await gateway.OpenStreamAsync("pulse");

        await SendAsync(bus, 0, 2);
        var before = await stream.NextAsync(2, TimeSpan.FromSeconds(30));

        // The next batch stops between its append and its fan-out: in the log, still locked, not completed.
        hold.HoldNext();
        await SendAsync(bus, 2, 3);
        await hold.Held.WaitAsync(Waits.Item);
        var committed = (await gateway.Log.GetHeadAsync("pulse", CancellationToken.None)).Offset;
        var inSubscription = bus.Broker.ActiveMessageCount(BusEnvironment.Topic, BusEnvironment.Subscription);
        Assert.True(committed + inSubscription > 5, $"No appended message is waiting to be completed ({committed} in the log, {inSubscription} in the subscription).");

        // The outage hits that batch: its fan-out goes to a stopped broker, and its locks and links are gone.
        bus.Broker.Stop();
        hold.Release();
        var failure = await hold.FailedAfterRelease.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"{committed} in the log and {inSubscription} in the subscription at the outage; the held fan-out failed with {failure.GetType().Name}");
        bus.Broker.Start();

        await SendAsync(bus, 5, 5);
        var after = await stream.NextAsync(8, TimeSpan.FromSeconds(30));
        var all = before.Concat(after).ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), all.Select(SseIds.Offset));

        // Every message once. Not necessarily in send order: without sessions Service Bus does not promise FIFO
        // across messages (a delivery released around the outage can come back behind a newer one), so the order
        // every client sees is the log's, checked above as offsets 1..10.
        var sent = Enumerable.Range(0, 10).Select(i => $"p{i}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(sent, all.Select(i => i.Data).Order(StringComparer.Ordinal));

        // Once the batch's messages are settled (completed, or redelivered and found to be duplicates), the log
        // still holds each message once.
        await Waits.UntilAsync(() => bus.Broker.ActiveMessageCount(BusEnvironment.Topic, BusEnvironment.Subscription) == 0, TimeSpan.FromSeconds(30), "the held batch to be settled");
        var logged = new List<string>();
        await foreach (var e in gateway.Log.ReadAfterAsync("pulse", 0, CancellationToken.None))
        {
            logged.Add(Encoding.UTF8.GetString(e.Data.Span));
        }

        Assert.Equal(sent, logged.Order(StringComparer.Ordinal));
        Assert.Empty(bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription));
    }

    private static async Task SendAsync(BusEnvironment bus, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await bus.Producer.SendMessageAsync(GatewayMessages.Create("pulse", $"p{i}"));
        }
    }

    /// <summary>
    /// Around the gateway's fan-out: holds the first publish after <see cref="HoldNext"/> until <see cref="Release"/>
    /// (the batch has been appended and waits there, uncompleted), and reports the first failed publish after it.
    /// </summary>
    private sealed class FanoutHold
    {
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<Exception> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _armed;

        public Task Held => _held.Task;

        public Task<Exception> FailedAfterRelease => _failed.Task;

        public IEventFanout Around(IEventFanout inner) => new Fanout(inner, this);

        public void HoldNext() => Volatile.Write(ref _armed, 1);

        public void Release() => _released.TrySetResult();

        private sealed class Fanout(IEventFanout inner, FanoutHold hold) : IEventFanout
        {
            public async Task PublishAsync(IReadOnlyList<ChannelEvent> events, CancellationToken cancellationToken)
            {
                if (Interlocked.Exchange(ref hold._armed, 0) == 1)
                {
                    hold._held.TrySetResult();
                    await hold._released.Task.WaitAsync(cancellationToken);
                }

                try
                {
                    await inner.PublishAsync(events, cancellationToken);
                }
                catch (Exception ex) when (hold._released.Task.IsCompleted)
                {
                    hold._failed.TrySetResult(ex);
                    throw;
                }
            }
        }
    }
}
