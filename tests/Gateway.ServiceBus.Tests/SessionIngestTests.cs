using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using Gateway.Core.Bus;
using Gateway.TestBroker;
using Gateway.Testing;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.ServiceBus;
using Xunit.Abstractions;

namespace Gateway.ServiceBus.Tests;

/// <summary>
/// Ingest with <c>Gateway:ServiceBus:Sessions</c> keeps the guarantees of ingest without sessions: poison messages are
/// dead-lettered with their reason (and a SessionId that is not the channel is one), a storage outage holds the batch
/// with its session lock renewed and dead-letters nothing.
/// </summary>
public sealed class SessionIngestTests(ITestOutputHelper output)
{
    private const string IngestEntity = $"{BusEnvironment.Topic}/Subscriptions/{BusEnvironment.Subscription}";

    [Fact]
    public async Task Poison_messages_and_a_session_id_that_is_not_the_channel_are_dead_lettered_and_the_channel_goes_on_in_order()
    {
        await using var bus = await BusEnvironment.StartAsync(new TestServiceBusBrokerOptions { SessionAcceptWait = TimeSpan.FromMilliseconds(100) }, sessions: true);
        ServiceBusMessage[] messages =
        [
            Message("feed", "feed", "first", "ok-1"),
            Message("feed", "other", "x", "wrong-session"),
            Message("feed!", "feed!", "x", "bad-channel"),
            Message("feed", "feed", "second", "ok-2"),
            Message("feed", "feed", "third", "ok-3"),
        ];
        foreach (var message in messages)
        {
            await bus.Producer.SendMessageAsync(message);
        }

        await using var gateway = await bus.StartGatewayAsync(settings: ("Gateway:ServiceBus:Sessions", "true"));
        await gateway.WaitForHeadAsync("feed", 3);

        var deadLetters = (await bus.ReceiveDeadLettersAsync(2)).ToDictionary(m => m.MessageId);
        Assert.Equal("SessionIdMismatch", deadLetters["wrong-session"].DeadLetterReason);
        Assert.Contains("differs from its channel 'feed'", deadLetters["wrong-session"].DeadLetterErrorDescription, StringComparison.Ordinal);
        Assert.Equal(EventIngestor.InvalidChannel, deadLetters["bad-channel"].DeadLetterReason);
        Assert.Equal(["first", "second", "third"], await gateway.LogDataAsync("feed"));
        Assert.Equal(0L, (await gateway.Log.GetHeadAsync("other", CancellationToken.None)).Offset);
    }

    [Fact]
    public async Task Http_publish_sets_the_session_so_its_events_reach_a_session_subscription()
    {
        await using var bus = await BusEnvironment.StartAsync(new TestServiceBusBrokerOptions { SessionAcceptWait = TimeSpan.FromMilliseconds(100) }, sessions: true);
        await using var gateway = await bus.StartGatewayAsync(settings: ("Gateway:ServiceBus:Sessions", "true"));

        foreach (var data in new[] { "a", "b", "c" })
        {
            await gateway.PublishAsync("posted", data, "note");
        }

        await gateway.WaitForHeadAsync("posted", 3);
        Assert.Equal(["a", "b", "c"], await gateway.LogDataAsync("posted"));
        Assert.Empty(bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription));
    }

    [Fact]
    public async Task A_storage_outage_holds_the_session_renews_its_lock_and_dead_letters_nothing()
    {
        const string channel = "held";
        const int maxDeliveryCount = 3;
        var lockDuration = TimeSpan.FromSeconds(3);
        var renewalBudget = TimeSpan.FromSeconds(2);
        var spanThatWouldDeadLetter = maxDeliveryCount * (renewalBudget + lockDuration);
        var location = Directory.CreateTempSubdirectory("azurite-session-outage-");
        try
        {
            var renewals = new ConcurrentQueue<LockRenewal>();
            await using var azurite = await AzuriteProcess.StartAsync(location.FullName);
            await using var bus = await BusEnvironment.StartAsync(
                new TestServiceBusBrokerOptions
                {
                    LockDuration = lockDuration,
                    MaxDeliveryCount = maxDeliveryCount,
                    SessionAcceptWait = TimeSpan.FromMilliseconds(100),
                    OnLockRenewed = r =>
                    {
                        if (string.Equals(r.Entity, IngestEntity, StringComparison.OrdinalIgnoreCase))
                        {
                            renewals.Enqueue(r);
                        }
                    },
                },
                sessions: true);
            await bus.Producer.SendMessageAsync(Message(channel, channel, "before", "before"));
            await using var gateway = await bus.StartGatewayAsync(settings: TableLogSettings.OnNewTable(
                azurite.ConnectionString,
                ("Gateway:ServiceBus:Sessions", "true"),
                ("Gateway:ServiceBus:MaxLockRenewalDuration", renewalBudget.ToString()),
                ("EventLogStorage:Retry:NetworkTimeout", "00:00:02"),
                ("Gateway:Health:Detailed", "true")));
            await gateway.WaitForHeadAsync(channel, 1);

            // SIGINT: Azurite saves what it holds.
            await azurite.StopAsync(graceful: true);
            var sent = Enumerable.Range(0, 5).Select(i => $"during-{i}").ToList();
            foreach (var data in sent)
            {
                await bus.Producer.SendMessageAsync(Message(channel, channel, data, data));
            }

            await Waits.UntilAsync(
                () => LongestRenewedSpan(renewals) > spanThatWouldDeadLetter,
                Waits.Test,
                $"the held session's lock to be renewed across {spanThatWouldDeadLetter.TotalSeconds:0} s");
            output.WriteLine($"{renewals.Count} message locks renewed with their session; most deliveries {renewals.Max(r => r.Deliveries)}");

            await azurite.StartAsync();
            await gateway.WaitForHeadAsync(channel, 6);
            await Waits.UntilAsync(() => bus.Broker.ActiveMessageCount(BusEnvironment.Topic, BusEnvironment.Subscription) == 0, Waits.Item, "every message to be completed");

            Assert.Empty(bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription));
            output.WriteLine(string.Join(", ", renewals.GroupBy(r => r.SequenceNumber).Select(g => $"{g.Key}:{g.Min(r => r.Deliveries)}-{g.Max(r => r.Deliveries)} deliveries, {g.Max(r => r.FailedDeliveries)} failed, x{g.Count()}")));

            // What counts towards the dead-letter queue is a failed delivery (a lock that lapsed, an abandon), not a
            // delivery released unprocessed (a slot that met the outage gives its session back so). And once held, the
            // lock never lapsed: a lapse would show as a failed delivery more in the message's later renewals.
            Assert.All(renewals, r => Assert.True(r.FailedDeliveries < maxDeliveryCount, $"message {r.SequenceNumber} failed {r.FailedDeliveries} of {r.Deliveries} deliveries"));
            Assert.All(renewals.GroupBy(r => r.SequenceNumber), g => Assert.Single(g.Select(r => r.FailedDeliveries).Distinct()));
            Assert.Equal(["before", .. sent], await gateway.LogDataAsync(channel));
        }
        finally
        {
            location.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_session_held_longer_than_its_lock_keeps_its_lock_between_batches()
    {
        const string channel = "steady";
        var lockDuration = TimeSpan.FromSeconds(2);
        var sessionLocks = new ConcurrentQueue<SessionLockChange>();
        await using var bus = await BusEnvironment.StartAsync(
            new TestServiceBusBrokerOptions
            {
                LockDuration = lockDuration,
                // One lapse would dead-letter what the session had locked.
                MaxDeliveryCount = 1,
                SessionAcceptWait = TimeSpan.FromMilliseconds(100),
                OnSessionLock = c =>
                {
                    if (string.Equals(c.Entity, IngestEntity, StringComparison.OrdinalIgnoreCase) && c.SessionId == channel)
                    {
                        sessionLocks.Enqueue(c);
                    }
                },
            },
            sessions: true);

        // A receive waits five lock durations, so the slot holds the session between the channel's messages. (The gateway
        // reports healthy only after its fan-out's first receive came back: its start takes that long.)
        await using var gateway = await bus.StartGatewayAsync(settings: [("Gateway:ServiceBus:Sessions", "true"), ("Gateway:ServiceBus:ReceiveWaitTime", (5 * lockDuration).ToString())]);
        await bus.Producer.SendMessageAsync(Message(channel, channel, "first", "first"));
        await gateway.WaitForHeadAsync(channel, 1);

        await Waits.UntilAsync(
            () => RenewedSessionSpan(sessionLocks) > 2.5 * lockDuration,
            Waits.Item,
            "the held session's lock to be renewed across 2.5 lock durations with no batch in hand");
        await bus.Producer.SendMessageAsync(Message(channel, channel, "second", "second"));
        await gateway.WaitForHeadAsync(channel, 2);

        output.WriteLine(string.Join(", ", sessionLocks.Select(c => $"{c.Kind} {c.LockedUntilUtc:HH:mm:ss.fff}")));
        Assert.DoesNotContain(sessionLocks, c => c.Kind == SessionLockChangeKind.Lost);
        Assert.Single(sessionLocks, c => c.Kind == SessionLockChangeKind.Locked);
        Assert.Equal(["first", "second"], await gateway.LogDataAsync(channel));
        Assert.Empty(bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription));
    }

    [Theory]
    [InlineData(true, false, "does not require sessions")]
    [InlineData(false, true, "requires sessions")]
    public async Task A_sessions_setting_that_does_not_match_the_subscription_is_reported_by_health(bool gatewaySessions, bool subscriptionSessions, string expected)
    {
        await using var bus = await BusEnvironment.StartAsync(new TestServiceBusBrokerOptions { SessionAcceptWait = TimeSpan.FromMilliseconds(100) }, sessions: subscriptionSessions);
        await using var gateway = await GatewayTestHost.StartAsync(new GatewayTestHostOptions
        {
            Settings = [.. bus.GatewaySettings, ("Gateway:ServiceBus:Sessions", gatewaySessions ? "true" : "false"), ("Gateway:Health:Detailed", "true")],
        });

        await Waits.UntilAsync(
            async () => await gateway.BusHealthAsync() is ("Unhealthy", { } d) && d.Contains(expected, StringComparison.Ordinal),
            Waits.Item,
            $"health to say the subscription {expected}");
        output.WriteLine((await gateway.BusHealthAsync()).Description);
    }

    private static TimeSpan LongestRenewedSpan(IEnumerable<LockRenewal> renewals) =>
        renewals.GroupBy(r => r.SequenceNumber).Select(g => g.Max(r => r.LockedUntilUtc) - g.Min(r => r.LockedUntilUtc)).DefaultIfEmpty().Max();

    /// <summary>From the session's first lock to its latest renewal; zero before a renewal.</summary>
    private static TimeSpan RenewedSessionSpan(IEnumerable<SessionLockChange> changes)
    {
        var list = changes.ToList();
        var renewed = list.Where(c => c.Kind == SessionLockChangeKind.Renewed).Select(c => c.LockedUntilUtc!.Value).DefaultIfEmpty().Max();
        var locked = list.Where(c => c.Kind == SessionLockChangeKind.Locked).Select(c => c.LockedUntilUtc!.Value).DefaultIfEmpty().Min();
        return renewed > locked ? renewed - locked : TimeSpan.Zero;
    }

    private static ServiceBusMessage Message(string channel, string sessionId, string data, string id)
    {
        var message = BusEnvironment.Event(channel, data);
        message.SessionId = sessionId;
        message.MessageId = id;
        return message;
    }
}
