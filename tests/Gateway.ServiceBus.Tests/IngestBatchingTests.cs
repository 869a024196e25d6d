using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using Gateway.Client.Producers;
using Gateway.Core.Bus;
using Gateway.Core.Events;
using Gateway.TestBroker;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.ServiceBus;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.ServiceBus.Tests;

/// <summary>
/// How ingest forms its batches: a lone message goes at once, without waiting for more to come; a backlog goes in
/// batches of what arrived while the previous batch was ingested, at most <c>MaxBatchSize</c> each — with and without
/// sessions. Batch sizes are read where they show: one channel's committed events reach the fan-out once per batch.
/// Without sessions the batch after a held fan-out is still appended (the overlap of <see cref="IngestOverlapTests"/>),
/// and the one after that waits; with sessions the next batch waits for the held one.
/// </summary>
public sealed class IngestBatchingTests
{
    private const int MaxBatchSize = 4;
    // Room for a first batch, the one appended during its fan-out, a full buffer and one more.
    private const int Backlog = 16;

    [Fact]
    public async Task A_lone_message_is_ingested_at_once_however_long_a_receive_may_wait()
    {
        await using var bus = await BusEnvironment.StartAsync();
        // Sent first, so that both receivers have had a message (and the bus is healthy) long before a receive of a
        // minute would come back empty; the fan-out subscription exists before the gateway fans it out.
        bus.Broker.CreateSubscription(BusEnvironment.FanoutTopic, "fixed-fanout");
        await bus.Producer.SendMessageAsync(GatewayMessages.Create("solo", "first"));
        await using var gateway = await bus.StartGatewayAsync(settings:
        [
            ("Gateway:ServiceBus:ReceiveWaitTime", "00:01:00"),
            ("Gateway:ServiceBus:FanoutSubscription", "fixed-fanout"),
        ]);
        await gateway.WaitForHeadAsync("solo", 1);
        await using var stream = await gateway.OpenStreamAsync("solo");

        // Each one alone, each well within a receive's minute (the stream waits Waits.Item for an event), the second
        // after a batch of one: nothing waits for a batch to fill.
        foreach (var data in new[] { "second", "third" })
        {
            await bus.Producer.SendMessageAsync(GatewayMessages.Create("solo", data));
            Assert.Equal(data, (await stream.NextAsync()).Data);
        }
    }

    [Fact]
    public async Task A_backlog_is_ingested_in_batches_of_what_arrived_meanwhile_at_most_MaxBatchSize()
    {
        await using var bus = await BusEnvironment.StartAsync();
        await bus.Producer.SendMessagesAsync(Enumerable.Range(0, Backlog).Select(i => GatewayMessages.Create("backlog", $"{i}")));
        var fanout = new GatedFanout();
        await using var gateway = await bus.StartGatewayAsync(configure: s => s.AddSingleton<IEventFanout>(fanout), settings: BatchSettings);

        var batches = await IngestHeldBacklogAsync(bus, gateway, fanout, "backlog", overlap: true);

        Assert.Equal(MaxBatchSize, batches[2]);
        Assert.All(batches, size => Assert.InRange(size, 1, MaxBatchSize));
        Assert.Equal(Backlog, batches.Sum());
        Assert.Empty(bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription));
    }

    [Fact]
    public async Task With_sessions_a_backlog_is_ingested_in_batches_and_in_send_order()
    {
        await using var bus = await BusEnvironment.StartAsync(new TestServiceBusBrokerOptions { SessionAcceptWait = TimeSpan.FromMilliseconds(100) }, sessions: true);
        await bus.Producer.SendMessagesAsync(Enumerable.Range(0, Backlog).Select(i => SessionMessage("ordered", $"{i}")));
        var fanout = new GatedFanout();
        await using var gateway = await bus.StartGatewayAsync(
            configure: s => s.AddSingleton<IEventFanout>(fanout),
            settings: [.. BatchSettings, ("Gateway:ServiceBus:Sessions", "true"), ("Gateway:ServiceBus:MaxConcurrentSessions", "1")]);

        var batches = await IngestHeldBacklogAsync(bus, gateway, fanout, "ordered", overlap: false);

        Assert.Equal(MaxBatchSize, batches[1]);
        Assert.All(batches, size => Assert.InRange(size, 1, MaxBatchSize));
        Assert.Equal(Enumerable.Range(0, Backlog).Select(i => $"{i}"), await gateway.LogDataAsync("ordered"));
    }

    // Without a prefetch the client asks the broker for one message per receive call, and ingest's receive loop makes
    // the next call only once the last message is in its buffer: how many the broker has delivered tells how many are
    // buffered, with no race between the two.
    private static (string Key, string Value)[] BatchSettings =>
    [
        ("Gateway:ServiceBus:MaxBatchSize", $"{MaxBatchSize}"),
        ("Gateway:ServiceBus:IngestPrefetchCount", "0"),
    ];

    /// <summary>
    /// Holds the first batch in the fan-out until the buffer is full (<see cref="MaxBatchSize"/> messages, one more
    /// delivered and waiting for room), then lets the backlog through; returns the batch sizes in order. With
    /// <paramref name="overlap"/> one more batch is appended (and held behind the first fan-out) before the buffer fills.
    /// </summary>
    private static async Task<List<int>> IngestHeldBacklogAsync(BusEnvironment bus, GatewayTestHost gateway, GatedFanout fanout, string channel, bool overlap)
    {
        var first = await fanout.Reached.WaitAsync(Waits.Item);
        var taken = first;
        if (overlap)
        {
            // The second batch is appended during the held fan-out, in one append; none after it until that fan-out ends.
            await Waits.UntilAsync(async () => (await gateway.Log.GetHeadAsync(channel, CancellationToken.None)).Offset > first, Waits.Item, "the second batch to be appended");
            taken = (int)(await gateway.Log.GetHeadAsync(channel, CancellationToken.None)).Offset;
        }

        await Waits.UntilAsync(
            () => bus.Broker.ActiveMessages(BusEnvironment.Topic, BusEnvironment.Subscription).Count(m => m.DeliveryCount > 0) >= taken + MaxBatchSize + 1,
            Waits.Item,
            $"the broker to deliver the {taken} messages taken, a full buffer and one more");
        fanout.Release();
        await gateway.WaitForHeadAsync(channel, Backlog);
        await Waits.UntilAsync(() => fanout.Batches.Sum() == Backlog, Waits.Item, "the last batch to reach the fan-out");
        return fanout.Batches;
    }

    private static ServiceBusMessage SessionMessage(string channel, string data)
    {
        var message = GatewayMessages.Create(channel, data);
        message.SessionId = channel;
        return message;
    }

    /// <summary>Records the size of every fan-out (one per ingest batch of one channel) and holds the first until released.</summary>
    private sealed class GatedFanout : IEventFanout
    {
        private readonly TaskCompletionSource<int> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<int> _batches = new();

        /// <summary>The first batch's size, once it is held.</summary>
        public Task<int> Reached => _reached.Task;

        public List<int> Batches => [.. _batches];

        public void Release() => _release.TrySetResult();

        public async Task PublishAsync(IReadOnlyList<ChannelEvent> events, CancellationToken cancellationToken)
        {
            _batches.Enqueue(events.Count);
            if (_reached.TrySetResult(events.Count))
            {
                await _release.Task.WaitAsync(cancellationToken);
            }
        }
    }
}
