using Gateway.Client.Producers;
using Gateway.Core.Log;
using Gateway.Hosting.Composition;
using Gateway.ServiceBus.Tests.Infrastructure;
using Gateway.TestBroker;
using Gateway.Testing;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.Processes;
using Gateway.Testing.ServiceBus;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Gateway.ServiceBus.Tests;

/// <summary>
/// The gateway server is killed (SIGKILL, no shutdown) while it ingests a backlog, so batches it has appended to the
/// Table log but not completed come back from the broker to the next instance: the log's dedupe markers must keep
/// every source message to exactly one event.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int Channels = 8;
    private const int PerChannel = 250;
    private const int Total = Channels * PerChannel;

    // Short locks: what the killed instance held is redelivered soon after the kill.
    private static readonly TimeSpan LockDuration = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan IngestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_server_killed_between_append_and_complete_leaves_each_message_once_and_loses_none()
    {
        var killSwitch = new FanoutKillSwitch();
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var bus = await BusEnvironment.StartAsync(new TestServiceBusBrokerOptions { LockDuration = LockDuration, OnSending = killSwitch.OnSending });
        var table = "sbcrash" + Guid.NewGuid().ToString("N")[..8];
        var environment = new Dictionary<string, string>
        {
            ["EventLogStorage"] = azurite.ConnectionString,
            ["EventBus"] = bus.ConnectionString,
            ["Gateway__Tables__TableName"] = table,
            ["Gateway__ServiceBus__ReceiveWaitTime"] = "00:00:00.200",
        };
        await using var services = LogServices(azurite.ConnectionString, table);
        var log = services.GetRequiredService<IEventLog>();

        var sent = await SendAsync(bus);

        // Two instances die at different points of the backlog, each while it waits for the fan-out send of a batch
        // it has appended: the batch's messages are in the log and still locked in the subscription.
        foreach (var fraction in new[] { 0.25, 0.6 })
        {
            await using var victim = await GatewayServerProcess.StartAsync(environment);
            await UntilCommittedAsync(log, (int)(Total * fraction));
            await killSwitch.KillOnNextFanoutAsync(victim).WaitAsync(IngestTimeout);
            await victim.KillAsync();

            var committed = await CommittedAsync(log);
            var inSubscription = bus.Broker.ActiveMessageCount(BusEnvironment.Topic, BusEnvironment.Subscription);
            var uncompleted = committed + inSubscription - Total;
            output.WriteLine($"Killed at {committed}/{Total} committed, {uncompleted} of them not completed.");
            Assert.True(committed < Total, $"The kill came after the whole backlog was ingested ({committed}).");
            Assert.True(uncompleted > 0, "The kill did not leave an appended batch uncompleted.");
        }

        await using var survivor = await GatewayServerProcess.StartAsync(environment);
        await UntilCommittedAsync(log, Total);
        await Waits.UntilAsync(() => bus.Broker.ActiveMessageCount(BusEnvironment.Topic, BusEnvironment.Subscription) == 0, IngestTimeout, "the subscription to be empty");
        Assert.Empty(bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription));

        foreach (var (channel, data) in sent)
        {
            // The log: offsets 1..n without a gap, each source message exactly once (redeliveries may reorder).
            var events = await ReadLogAsync(log, channel);
            Assert.Equal(Enumerable.Range(1, PerChannel).Select(i => (long)i), events.Select(e => e.Offset));
            Assert.Equal(data, events.Select(e => e.Data).Order(StringComparer.Ordinal));

            // A client reading from offset 0 gets the same events once, in the log's order.
            var epoch = events[0].Epoch;
            await using var stream = await survivor.OpenStreamAsync(channel, $"{epoch}-0");
            var items = new List<(string Id, string Data)>(PerChannel);
            while (items.Count < PerChannel)
            {
                var item = await stream.NextAsync();
                items.Add((item.EventId ?? "", item.Data));
            }

            Assert.Equal(events.Select(e => ($"{epoch}-{e.Offset}", e.Data)), items);
        }
    }

    /// <summary>Sends the backlog in batches: channel <c>crash-c</c> gets data <c>c-0000</c>.. (unique per message).</summary>
    private static async Task<Dictionary<string, List<string>>> SendAsync(BusEnvironment bus)
    {
        var sent = Enumerable.Range(0, Channels).ToDictionary(c => $"crash-{c}", _ => new List<string>(PerChannel));
        var messages = Enumerable.Range(0, Total).Select(i =>
        {
            var channel = $"crash-{i % Channels}";
            var data = $"{i % Channels}-{i / Channels:D4}";
            sent[channel].Add(data);
            return GatewayMessages.Create(channel, data);
        }).ToList();
        foreach (var chunk in messages.Chunk(100))
        {
            await bus.Producer.SendMessagesAsync(chunk);
        }

        return sent;
    }

    // A fresh server process ingests 2,000 messages' worth of batches: on a shared machine that can take a while.
    private static Task UntilCommittedAsync(IEventLog log, int atLeast) =>
        Waits.UntilAsync(async () => await CommittedAsync(log) >= atLeast, Waits.Test, $"{atLeast} of {Total} events to be in the log");

    /// <summary>Events in the log over all channels (the sum of the heads).</summary>
    private static async Task<long> CommittedAsync(IEventLog log)
    {
        var heads = await Task.WhenAll(Enumerable.Range(0, Channels).Select(c => log.GetHeadAsync($"crash-{c}", CancellationToken.None)));
        return heads.Sum(h => h.Offset);
    }

    private static async Task<List<(string Epoch, long Offset, string Data)>> ReadLogAsync(IEventLog log, string channel)
    {
        var events = new List<(string, long, string)>(PerChannel);
        await foreach (var e in log.ReadAfterAsync(channel, 0, CancellationToken.None))
        {
            events.Add((e.Epoch, e.Offset, System.Text.Encoding.UTF8.GetString(e.Data.Span)));
        }

        return events;
    }

    /// <summary>The Table log on the servers' table, as a host registers it, to watch and check what they committed.</summary>
    private static GatewayServices LogServices(string connectionString, string table) =>
        GatewayServices.Build(new Dictionary<string, string?>
        {
            ["EventLogStorage"] = connectionString,
            ["Gateway:Tables:TableName"] = table,
        });
}
