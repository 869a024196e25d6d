using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Data.Tables;
using Gateway.Client.Producers;
using Gateway.TestBroker;
using Gateway.Testing;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.ServiceBus;
using Gateway.Testing.Sse;
using Xunit.Abstractions;

namespace Gateway.ServiceBus.Tests;

/// <summary>
/// The event log's store away for longer than the lock renewal budget: ingest holds its batch and keeps its locks for as
/// long as the store is down, so nothing is dead-lettered; a store that refuses for good stops ingest loudly instead.
/// </summary>
public sealed class StorageOutageTests(ITestOutputHelper output)
{
    private const string Channel = "held";
    private const string IngestEntity = $"{BusEnvironment.Topic}/Subscriptions/{BusEnvironment.Subscription}";
    private const int MaxDeliveryCount = 3;
    private static readonly TimeSpan LockDuration = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RenewalBudget = TimeSpan.FromSeconds(2);

    // Without renewal past the budget, each delivery of a held message would last at most budget + lock before it is
    // redelivered, so its deliveries would run out within this span of lock expiries.
    private static readonly TimeSpan SpanThatWouldDeadLetter = MaxDeliveryCount * (RenewalBudget + LockDuration);

    [Fact]
    public async Task An_outage_longer_than_the_renewal_budget_dead_letters_nothing_and_everything_is_ingested_once_after()
    {
        var location = Directory.CreateTempSubdirectory("azurite-ingest-outage-");
        try
        {
            var renewals = new ConcurrentQueue<LockRenewal>();
            await using var azurite = await AzuriteProcess.StartAsync(location.FullName);
            await using var bus = await BusEnvironment.StartAsync(new TestServiceBusBrokerOptions
            {
                LockDuration = LockDuration,
                MaxDeliveryCount = MaxDeliveryCount,
                OnLockRenewed = r =>
                {
                    if (string.Equals(r.Entity, IngestEntity, StringComparison.OrdinalIgnoreCase))
                    {
                        renewals.Enqueue(r);
                    }
                },
            });
            await using var gateway = await bus.StartGatewayAsync(settings: TableLogSettings.OnNewTable(
                azurite.ConnectionString,
                ("Gateway:ServiceBus:MaxLockRenewalDuration", RenewalBudget.ToString()),
                // Without a prefetch the broker's deliveries are exactly the messages ingest asked for.
                ("Gateway:ServiceBus:IngestPrefetchCount", "0"),
                ("EventLogStorage:Retry:NetworkTimeout", "00:00:02"),
                ("Gateway:Health:Detailed", "true")));
            await using var stream = await gateway.OpenStreamAsync(Channel);
            await Waits.UntilAsync(() => gateway.Hub.SubscriberCount == 1, Waits.Item, "the stream to subscribe");
            await bus.Producer.SendMessageAsync(GatewayMessages.Create(Channel, "before"));
            Assert.Equal("before", (await stream.NextAsync()).Data);

            // SIGINT: Azurite saves what it holds (on SIGTERM it loses recent writes).
            await azurite.StopAsync(graceful: true);
            var clock = Stopwatch.StartNew();
            var sent = Enumerable.Range(0, 5).Select(i => $"during-{i}").ToList();
            await bus.Producer.SendMessagesAsync(sent.Select(d => GatewayMessages.Create(Channel, d)));

            await Waits.UntilAsync(async () => await gateway.BusHealthAsync() is ("Degraded", { } d) && d.Contains("ingest paused", StringComparison.Ordinal), Waits.Item, "health to report the paused ingest");
            var (_, paused) = await gateway.BusHealthAsync();
            output.WriteLine($"bus health during the outage: {paused}");
            var late = Enumerable.Range(0, 20).Select(i => $"late-{i}").ToList();
            await bus.Producer.SendMessagesAsync(late.Select(d => GatewayMessages.Create(Channel, d)));
            sent.AddRange(late);
            await Waits.UntilAsync(
                () => LongestRenewedSpan(renewals) > SpanThatWouldDeadLetter,
                Waits.Test,
                $"a held message's locks to be renewed across {SpanThatWouldDeadLetter.TotalSeconds:0} s");
            var outage = clock.Elapsed;

            // Paused means paused: besides a receive already under way when the outage began, ingest took none of the
            // messages sent during it, so none of them has a lock that could lapse.
            var lateTaken = bus.Broker.ActiveMessages(BusEnvironment.Topic, BusEnvironment.Subscription)
                .Count(m => System.Text.Encoding.UTF8.GetString(m.Body.Span).StartsWith("late-", StringComparison.Ordinal) && m.DeliveryCount > 0);
            Assert.True(lateTaken <= 1, $"{lateTaken} messages sent during the outage were received while it lasted");

            await azurite.StartAsync();
            await gateway.WaitForHeadAsync(Channel, 1 + sent.Count);
            await Waits.UntilAsync(() => bus.Broker.ActiveMessageCount(BusEnvironment.Topic, BusEnvironment.Subscription) == 0, Waits.Item, "every message to be completed");
            var items = await stream.NextAsync(sent.Count, Waits.Item);
            output.WriteLine($"outage {outage.TotalSeconds:0.0} s against a {RenewalBudget.TotalSeconds:0} s renewal budget and {LockDuration.TotalSeconds:0} s locks; {renewals.Count} renewals, the most for one message {renewals.GroupBy(r => r.SequenceNumber).Max(g => g.Count())}, most deliveries {renewals.Max(r => r.Deliveries)}; caught up {clock.Elapsed.TotalSeconds - outage.TotalSeconds:0.0} s after Azurite was back");

            Assert.Empty(bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription));
            // Held, not cycled through deliveries (a lock lost to a slow renewal on a busy machine may cost one).
            Assert.All(renewals, r => Assert.True(r.Deliveries < MaxDeliveryCount, $"message {r.SequenceNumber} was delivered {r.Deliveries} times"));
            Assert.Equal(Enumerable.Range(2, sent.Count).Select(o => (long)o), items.Select(SseIds.Offset));
            Assert.Equal(sent.Order(StringComparer.Ordinal), items.Select(i => i.Data).Order(StringComparer.Ordinal));
            Assert.Equal(1 + sent.Count, (await gateway.Log.GetHeadAsync(Channel, CancellationToken.None)).Offset);
            await Waits.UntilAsync(async () => (await gateway.BusHealthAsync()).Status == "Healthy", Waits.Item, "health to recover");
        }
        finally
        {
            location.Delete(recursive: true);
        }
    }

    /// <summary>The longest time one message's locks were kept by renewals, from the broker's own lock expiries.</summary>
    private static TimeSpan LongestRenewedSpan(IEnumerable<LockRenewal> renewals) =>
        renewals.GroupBy(r => r.SequenceNumber).Select(g => g.Max(r => r.LockedUntilUtc) - g.Min(r => r.LockedUntilUtc)).DefaultIfEmpty().Max();

    [Fact]
    public async Task A_missing_table_stops_ingest_loudly_and_loses_nothing()
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        // The test broker redelivers a message to a closing receiver link that still has credit, and each release counts
        // as a delivery (dozens within a second): a high limit keeps that broker artefact out of this test's verdict.
        await using var bus = await BusEnvironment.StartAsync(new TestServiceBusBrokerOptions { LockDuration = TimeSpan.FromSeconds(2), MaxDeliveryCount = 1000 });
        var table = TableLogSettings.NewTableName();
        await using var gateway = await bus.StartGatewayAsync(settings:
        [
            .. GatewayArguments.From(TableLogSettings.For(azurite.ConnectionString, table)),
            ("Gateway:Health:Detailed", "true"),
        ]);
        await bus.Producer.SendMessageAsync(GatewayMessages.Create(Channel, "first"));
        await gateway.WaitForHeadAsync(Channel, 1);

        // The append comes before the fan-out and the complete: wait for the complete too, or "first" could come back
        // to an ingest that no longer has a table and wait beside "second".
        await Waits.UntilAsync(
            () => Task.FromResult(!bus.Broker.ActiveMessages(BusEnvironment.Topic, BusEnvironment.Subscription).Any()),
            Waits.Item, "the first message to be completed");

        await new TableServiceClient(azurite.ConnectionString).DeleteTableAsync(table);
        await bus.Producer.SendMessageAsync(GatewayMessages.Create(Channel, "second"));

        await Waits.UntilAsync(async () => (await gateway.BusHealthAsync()).Status == "Unhealthy", Waits.Item, "health to report the stopped ingest");
        var (_, description) = await gateway.BusHealthAsync();
        output.WriteLine($"bus health: {description}");
        Assert.Contains("ingest stopped", description, StringComparison.Ordinal);
        Assert.Contains("404", description, StringComparison.Ordinal);

        // Not retried into the dead-letter queue: it waits in the subscription for an instance that can store it.
        var waiting = Assert.Single(bus.Broker.ActiveMessages(BusEnvironment.Topic, BusEnvironment.Subscription));
        output.WriteLine($"the message waits in the subscription after {waiting.DeliveryCount} deliveries");
        Assert.Equal("second", System.Text.Encoding.UTF8.GetString(waiting.Body.Span));
        Assert.Empty(bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription));
    }
}
