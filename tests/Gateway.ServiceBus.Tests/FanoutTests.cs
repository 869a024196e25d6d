using System.Net.ServerSentEvents;
using Azure.Messaging.ServiceBus.Administration;
using Gateway.Azure.ServiceBus;
using Gateway.Client.Producers;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.ServiceBus;
using Gateway.Testing.Sse;

namespace Gateway.ServiceBus.Tests;

/// <summary>Two gateway instances on one log, each with its own fan-out subscription.</summary>
public sealed class FanoutTests
{
    private const string Channel = "room";

    [Fact]
    public async Task Clients_on_either_instance_get_every_event_once_in_order_and_resume_on_the_other()
    {
        await using var bus = await BusEnvironment.StartAsync();
        await using var a = await bus.StartGatewayAsync(settings: ("Gateway:ServiceBus:InstanceId", "Instance A/1"));
        await using var b = await bus.StartGatewayAsync(sharedLog: a.InMemoryLog, settings: ("Gateway:ServiceBus:InstanceId", "instance-b"));

        // Each instance created its own subscription (administration client), named from its instance id, deleted when idle.
        var admin = new ServiceBusAdministrationClient(bus.ConnectionString);
        foreach (var name in new[] { "instance-a-1", "instance-b" })
        {
            Assert.True(bus.Broker.SubscriptionExists(BusEnvironment.FanoutTopic, name));
            var properties = (await admin.GetSubscriptionAsync(BusEnvironment.FanoutTopic, name)).Value;
            Assert.Equal(FanoutSubscription.AutoDeleteOnIdle, properties.AutoDeleteOnIdle);
        }

        await EveryClientGetsEveryEventOnceInOrderAsync(bus, a, b);
    }

    [Fact]
    public async Task Two_instances_on_the_table_log_give_every_client_every_event_once_in_order()
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var bus = await BusEnvironment.StartAsync();
        (string, string)[] log = [("EventLogStorage", azurite.ConnectionString), ("Gateway:Tables:TableName", "sbfanout" + Guid.NewGuid().ToString("N")[..8])];
        await using var a = await bus.StartGatewayAsync(settings: log);
        await using var b = await bus.StartGatewayAsync(settings: log);

        await EveryClientGetsEveryEventOnceInOrderAsync(bus, a, b);
    }

    /// <summary>Clients on both instances see the same contiguous offsets; a client of A resumes exactly on B.</summary>
    private static async Task EveryClientGetsEveryEventOnceInOrderAsync(BusEnvironment bus, GatewayTestHost a, GatewayTestHost b)
    {
        await using var onA = await a.OpenStreamAsync(Channel);
        await using var onB = await b.OpenStreamAsync(Channel);

        // Both instances ingest (competing consumers); the log decides the order every client sees.
        var sent = await SendAsync(bus, 0, 40);
        var seenOnA = await onA.NextAsync(40);
        var seenOnB = await onB.NextAsync(40);
        AssertContiguous(seenOnA, 1);
        Assert.Equal(sent.Order(), seenOnA.Select(i => i.Data).Order());
        Assert.Equal(Describe(seenOnA), Describe(seenOnB));

        // A client of instance A moves to instance B with the id of the 20th event it got.
        await using var moved = await b.OpenStreamAsync(Channel, seenOnA[19].EventId);
        var more = await SendAsync(bus, 40, 5);
        var resumed = await moved.NextAsync(25);
        Assert.Equal(Describe(seenOnA.Skip(20)), Describe(resumed.Take(20)));
        AssertContiguous(resumed, 21);
        Assert.Equal(more.Order(), resumed.Skip(20).Select(i => i.Data).Order());
        Assert.Equal(Describe(resumed.Skip(20)), Describe(await onA.NextAsync(5)));
        Assert.Equal(Describe(resumed.Skip(20)), Describe(await onB.NextAsync(5)));
    }

    private static async Task<List<string>> SendAsync(BusEnvironment bus, int from, int count)
    {
        var data = Enumerable.Range(from, count).Select(i => $"m{i:D3}").ToList();
        foreach (var chunk in data.Chunk(10))
        {
            await bus.Producer.SendMessagesAsync(chunk.Select(d => GatewayMessages.Create(Channel, d)));
        }

        return data;
    }

    private static void AssertContiguous(List<SseItem<string>> items, long firstOffset) =>
        Assert.Equal(Enumerable.Range(0, items.Count).Select(i => firstOffset + i), items.Select(SseIds.Offset));

    private static List<string> Describe(IEnumerable<SseItem<string>> items) => [.. items.Select(i => $"{i.EventId} {i.EventType} {i.Data}")];
}
