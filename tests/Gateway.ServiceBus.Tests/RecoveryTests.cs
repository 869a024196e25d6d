using Gateway.Testing;
using Gateway.Testing.ServiceBus;
using Gateway.Testing.Sse;

namespace Gateway.ServiceBus.Tests;

/// <summary>Events wait in Service Bus while the gateway or the broker is away; nothing is lost or doubled.</summary>
public sealed class RecoveryTests
{
    [Fact]
    public async Task Messages_sent_while_no_gateway_runs_are_ingested_when_one_starts_and_replayed()
    {
        await using var bus = await BusEnvironment.StartAsync();
        foreach (var data in new[] { "early-1", "early-2", "early-3" })
        {
            await bus.Producer.SendMessageAsync(BusEnvironment.Event("backlog", data));
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
    public async Task A_broker_restart_mid_stream_loses_and_doubles_nothing()
    {
        await using var bus = await BusEnvironment.StartAsync();
        await using var gateway = await bus.StartGatewayAsync();
        await using var stream = await gateway.OpenStreamAsync("pulse");

        await SendAsync(bus, 0, 5);
        var before = await stream.NextAsync(2, TimeSpan.FromSeconds(30));

        // The outage hits while the rest of the first batch is being ingested, fanned out and completed.
        bus.Broker.Stop();
        await Task.Delay(TimeSpan.FromSeconds(1));
        bus.Broker.Start();

        await SendAsync(bus, 5, 5);
        var after = await stream.NextAsync(8, TimeSpan.FromSeconds(30));
        var all = before.Concat(after).ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), all.Select(SseIds.Offset));

        // Every message once. Not necessarily in send order: without sessions Service Bus does not promise FIFO
        // across messages (a delivery released around the outage can come back behind a newer one), so the order
        // every client sees is the log's, checked above as offsets 1..10.
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"p{i}").Order(StringComparer.Ordinal), all.Select(i => i.Data).Order(StringComparer.Ordinal));
    }

    private static async Task SendAsync(BusEnvironment bus, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await bus.Producer.SendMessageAsync(BusEnvironment.Event("pulse", $"p{i}"));
        }
    }
}
