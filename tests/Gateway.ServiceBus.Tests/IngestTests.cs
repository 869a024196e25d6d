using System.Net.ServerSentEvents;
using System.Text;
using Azure.Messaging.ServiceBus;
using Gateway.Client.Producers;
using Gateway.Core.Bus;
using Gateway.Core.Events;
using Gateway.TestBroker;
using Gateway.Testing;
using Gateway.Testing.ServiceBus;
using Gateway.Testing.Sse;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.ServiceBus.Tests;

/// <summary>Producer → test broker → ingest (real client, real server host) → log → fan-out → SSE.</summary>
public sealed class IngestTests
{
    [Fact]
    public async Task A_message_sent_with_the_sdk_reaches_an_sse_stream()
    {
        await using var bus = await BusEnvironment.StartAsync();
        bus.Broker.CreateSubscription(BusEnvironment.FanoutTopic, "fixed-fanout");
        await using var gateway = await bus.StartGatewayAsync(settings: ("Gateway:ServiceBus:FanoutSubscription", "fixed-fanout"));
        await using var stream = await gateway.OpenStreamAsync("orders");

        await bus.Producer.SendMessageAsync(GatewayMessages.Create("orders", "{\"id\":1}", "created"));
        await bus.Producer.SendMessageAsync(GatewayMessages.Create("orders", "plain"));

        var items = new[] { await stream.NextAsync(), await stream.NextAsync() };
        Assert.Equal([1L, 2L], items.Select(SseIds.Offset));

        // Both, each once; their order is the log's (Service Bus without sessions does not promise FIFO).
        Assert.Equal(
            [("created", "{\"id\":1}"), ("message", "plain")],
            items.Select(i => (i.EventType, i.Data)).OrderBy(i => i.EventType, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Http_publish_goes_through_the_ingest_topic()
    {
        await using var bus = await BusEnvironment.StartAsync();
        bus.Broker.CreateSubscription(BusEnvironment.Topic, "audit");
        await using var gateway = await bus.StartGatewayAsync();
        await using var stream = await gateway.OpenStreamAsync("news");

        await gateway.PublishAsync("news", "hello", "greeting");

        var item = await stream.NextAsync();
        Assert.Equal(("greeting", "hello", 1L), (item.EventType, item.Data, SseIds.Offset(item)));

        // The same message, as a second subscription of the topic saw it: the producer contract.
        await using var audit = bus.Client.CreateReceiver(BusEnvironment.Topic, "audit");
        var copy = await audit.ReceiveMessageAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(copy);
        Assert.Equal("greeting", copy.Subject);
        Assert.Equal("news", copy.ApplicationProperties["channel"]);
        Assert.Equal("hello", copy.Body.ToString());
    }

    [Fact]
    public async Task Invalid_messages_are_dead_lettered_with_the_reason_and_never_block_the_channel()
    {
        await using var bus = await BusEnvironment.StartAsync();
        await using var gateway = await bus.StartGatewayAsync(settings: ("Gateway:Events:MaxDataBytes", "1024"));
        await using var stream = await gateway.OpenStreamAsync("feed");

        ServiceBusMessage[] messages =
        [
            Named("ok-1", GatewayMessages.Create("feed", "first")),
            Named("no-channel", BusEnvironment.Event(null, "orphan")),
            Named("number-channel", NumberChannel()),
            Named("bad-channel", BusEnvironment.Event("feed!", "x")),
            Named("bad-utf8", BusEnvironment.Event("feed", [0xC3, 0x28])),
            Named("too-large", BusEnvironment.Event("feed", new string('x', 2000))),
            Named("crlf-subject", BusEnvironment.Event("feed", "x", "evil\r\nid: 9")),
            Named("ok-2", GatewayMessages.Create("feed", "second")),
        ];
        foreach (var message in messages)
        {
            await bus.Producer.SendMessageAsync(message);
        }

        var items = new[] { await stream.NextAsync(), await stream.NextAsync() };
        Assert.Equal([1L, 2L], items.Select(SseIds.Offset));
        Assert.Equal(["first", "second"], items.Select(i => i.Data).Order(StringComparer.Ordinal));

        var deadLetters = (await bus.ReceiveDeadLettersAsync(6)).ToDictionary(m => m.MessageId);
        AssertDeadLetter(deadLetters["no-channel"], EventIngestor.InvalidChannel, "no application property 'channel'");
        AssertDeadLetter(deadLetters["number-channel"], EventIngestor.InvalidChannel, "must be a string");
        AssertDeadLetter(deadLetters["bad-channel"], EventIngestor.InvalidChannel, "'!'");
        AssertDeadLetter(deadLetters["bad-utf8"], EventIngestor.InvalidData, "UTF-8");
        AssertDeadLetter(deadLetters["too-large"], EventIngestor.InvalidData, "2000 bytes");
        AssertDeadLetter(deadLetters["crlf-subject"], EventIngestor.InvalidEventName, "CR, LF");
    }

    [Fact]
    public async Task A_redelivery_after_a_failure_before_complete_is_not_appended_twice()
    {
        await using var bus = await BusEnvironment.StartAsync(new TestServiceBusBrokerOptions { LockDuration = TimeSpan.FromSeconds(5) });
        var stuck = new StuckFanout();

        // Instance A appends, then hangs in fan-out (as if it died there) and is stopped: its batch is abandoned.
        await using var a = await bus.StartGatewayAsync(configure: s => s.AddSingleton<IEventFanout>(stuck));
        await bus.Producer.SendMessageAsync(GatewayMessages.Create("ledger", "once"));
        await stuck.Reached.WaitAsync(Waits.Item);
        Assert.Equal(1, (await a.Log.GetHeadAsync("ledger", CancellationToken.None)).Offset);
        await a.StopAsync(TimeSpan.FromSeconds(1));

        // Instance B, on the same log, gets the redelivery: the dedupe marker keeps it from a second append.
        await using var b = await bus.StartGatewayAsync(sharedLog: a.InMemoryLog);
        await Waits.UntilAsync(() => bus.Broker.ActiveMessageCount(BusEnvironment.Topic, BusEnvironment.Subscription) == 0, Waits.Item, "the redelivery to be settled");
        await bus.Producer.SendMessageAsync(GatewayMessages.Create("ledger", "next"));

        var epoch = (await b.Log.GetHeadAsync("ledger", CancellationToken.None)).Epoch;
        await using var stream = await b.OpenStreamAsync("ledger", $"{epoch}-0");
        var items = new[] { await stream.NextAsync(), await stream.NextAsync() };
        Assert.Equal([("once", 1L), ("next", 2L)], items.Select(i => (i.Data, SseIds.Offset(i))));
        var log = new List<string>();
        await foreach (var e in b.Log.ReadAfterAsync("ledger", 0, CancellationToken.None))
        {
            log.Add(Encoding.UTF8.GetString(e.Data.Span));
        }

        Assert.Equal(["once", "next"], log);
        Assert.Equal(1, stuck.Calls);
        Assert.Empty(bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription));
    }

    [Fact]
    public async Task A_batch_slower_than_its_lock_is_renewed_and_ingested_once()
    {
        // The broker's clock is the test's: a lock lapses only when the test moves the clock past it.
        var lockDuration = TimeSpan.FromSeconds(3);
        var brokerTime = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var renewals = new LockRenewals();
        await using var bus = await BusEnvironment.StartAsync(new TestServiceBusBrokerOptions
        {
            LockDuration = lockDuration,
            TimeProvider = brokerTime,
            OnLockRenewed = renewals.OnRenewed,
        });
        var slow = new SlowFanout(brokerTime, lockDuration, renewals);
        await using var gateway = await bus.StartGatewayAsync(configure: s => s.AddSingleton<IEventFanout>(slow));

        // From here broker time runs with real time, from which the gateway schedules its renewals.
        brokerTime.SetUtcNow(DateTimeOffset.UtcNow);
        await bus.Producer.SendMessageAsync(GatewayMessages.Create("slow", "patient"));
        await Waits.UntilAsync(() => slow.Calls == 1 && bus.Broker.ActiveMessageCount(BusEnvironment.Topic, BusEnvironment.Subscription) == 0, TimeSpan.FromSeconds(30), "the slow batch to be completed");

        // The fan-out took two lock durations of broker time. Had a lock lapsed, the batch would have been given up
        // and the message would still be in the subscription until its redelivery had been fanned out a second time.
        Assert.True(slow.BrokerTimeTaken >= 2 * lockDuration, $"the fan-out took {slow.BrokerTimeTaken} of broker time");
        Assert.Equal(1, slow.Calls);
        Assert.Equal(1, (await gateway.Log.GetHeadAsync("slow", CancellationToken.None)).Offset);
        Assert.Empty(bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription));
    }

    private static ServiceBusMessage Named(string id, ServiceBusMessage message)
    {
        message.MessageId = id;
        return message;
    }

    private static ServiceBusMessage NumberChannel()
    {
        var message = BusEnvironment.Event(null, "x");
        message.ApplicationProperties["channel"] = 42;
        return message;
    }

    private static void AssertDeadLetter(ServiceBusReceivedMessage message, string reason, string descriptionPart)
    {
        Assert.Equal(reason, message.DeadLetterReason);
        Assert.Contains(descriptionPart, message.DeadLetterErrorDescription, StringComparison.Ordinal);
    }

    /// <summary>The latest lock expiry the broker gave on a renewal (its <see cref="TestServiceBusBrokerOptions.OnLockRenewed"/>).</summary>
    private sealed class LockRenewals
    {
        private long _lastUntilTicks;

        public DateTimeOffset LastUntil => new(Interlocked.Read(ref _lastUntilTicks), TimeSpan.Zero);

        public void OnRenewed(LockRenewal renewal)
        {
            if (renewal.Entity == $"{BusEnvironment.Topic}/Subscriptions/{BusEnvironment.Subscription}")
            {
                Interlocked.Exchange(ref _lastUntilTicks, renewal.LockedUntilUtc.Ticks);
            }
        }
    }

    /// <summary>
    /// A fan-out that takes longer than a lock lasts (the slow append of a busy log), in broker time: three steps of
    /// two thirds of a lock each, each taken only once the gateway has renewed the batch's lock at the current
    /// broker instant. A renewed lock survives each step; without renewals the second step would expire it.
    /// </summary>
    private sealed class SlowFanout(FakeTimeProvider brokerTime, TimeSpan lockDuration, LockRenewals renewals) : IEventFanout
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public TimeSpan BrokerTimeTaken { get; private set; }

        public async Task PublishAsync(IReadOnlyList<ChannelEvent> events, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            var started = brokerTime.GetUtcNow();
            for (var step = 0; step < 3; step++)
            {
                await Waits.UntilAsync(() => renewals.LastUntil >= brokerTime.GetUtcNow() + lockDuration, Waits.Item, "the gateway to renew the batch's lock");
                brokerTime.Advance(lockDuration * 2 / 3);
            }

            BrokerTimeTaken = brokerTime.GetUtcNow() - started;
        }
    }

    /// <summary>A fan-out that never finishes (until cancelled): the instance fails between append and complete.</summary>
    private sealed class StuckFanout : IEventFanout
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public Task Reached => _reached.Task;

        public int Calls => Volatile.Read(ref _calls);

        public async Task PublishAsync(IReadOnlyList<ChannelEvent> events, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            _reached.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
