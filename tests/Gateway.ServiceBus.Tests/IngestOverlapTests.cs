using System.Text;
using Gateway.Azure.ServiceBus;
using Gateway.Client.Producers;
using Gateway.Core.Bus;
using Gateway.ServiceBus.Tests.Infrastructure;
using Gateway.TestBroker;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.ServiceBus;
using Gateway.Testing.Sse;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.ServiceBus.Tests;

/// <summary>
/// Without sessions, ingest appends the next batch while the batch before it is fanned out (issue 13), and still: the
/// fan-outs leave one at a time in append order, a batch's messages are settled only once its own append and fan-out
/// succeeded, a fan-out that fails or is given up loses nothing, and a graceful stop finishes both batches in hand.
/// Each fan-out is held by the test (<see cref="HeldFanout"/>, around the real one) until it lets it go, so every
/// verdict is read at a known point.
/// </summary>
public sealed class IngestOverlapTests
{
    private const string Channel = "overlap";

    [Fact]
    public async Task The_next_batch_is_appended_while_the_fan_out_before_it_is_held_and_fan_outs_leave_in_append_order()
    {
        await using var bus = await BusEnvironment.StartAsync();
        var (gateway, fanout) = await StartGatewayAsync(bus);
        await using var _ = gateway;
        await using var stream = await gateway.OpenStreamAsync(Channel);

        await SendAsync(bus, "a-1");
        Assert.Equal(1L, Assert.Single(await fanout.BeganAsync(0)));
        await SendAsync(bus, "a-2");

        // The overlap: batch 2 reaches the log while batch 1's fan-out is held; its own fan-out waits for batch 1's, and
        // neither batch is settled.
        await gateway.WaitForHeadAsync(Channel, 2);
        Assert.Single(fanout.Offsets);
        Assert.True(Waiting(bus, "a-1") && Waiting(bus, "a-2"), "a batch was settled before its fan-out");

        // Batch 1's fan-out goes: batch 1 is settled, batch 2's fan-out begins (held), and batch 3 is appended meanwhile.
        fanout.Release(0);
        Assert.Equal(2L, Assert.Single(await fanout.BeganAsync(1)));
        await Waits.UntilAsync(() => !Waiting(bus, "a-1"), Waits.Item, "batch 1 to be completed once fanned out");
        Assert.True(Waiting(bus, "a-2"), "batch 2 was settled before its fan-out");
        await SendAsync(bus, "a-3");
        await gateway.WaitForHeadAsync(Channel, 3);
        Assert.Equal(2, fanout.Offsets.Count);

        fanout.PassFrom(1);
        var items = await stream.NextAsync(3, Waits.Item);
        Assert.Equal([(1L, "a-1"), (2L, "a-2"), (3L, "a-3")], items.Select(i => (SseIds.Offset(i), i.Data)));
        await AllSettledAsync(bus);
        Assert.Equal([[1L], [2L], [3L]], fanout.Offsets);
        Assert.Equal(1, fanout.MostAtOnce);
        Assert.Empty(bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription));
    }

    [Fact]
    public async Task A_fan_out_that_fails_while_the_next_batch_is_appended_is_retried_before_the_next_fan_out_and_its_batch_is_settled_only_after()
    {
        await using var bus = await BusEnvironment.StartAsync();
        var (gateway, fanout) = await StartGatewayAsync(bus);
        await using var _ = gateway;
        await using var stream = await gateway.OpenStreamAsync(Channel);

        await SendAsync(bus, "b-1");
        Assert.Equal(1L, Assert.Single(await fanout.BeganAsync(0)));
        await SendAsync(bus, "b-2");
        await gateway.WaitForHeadAsync(Channel, 2);

        // Batch 1's send fails while batch 2 is in the log: batch 1's fan-out is tried again, before batch 2's, and
        // neither batch is settled meanwhile.
        fanout.Fail(0, new InvalidOperationException("the fan-out send failed"));
        Assert.Equal(1L, Assert.Single(await fanout.BeganAsync(1)));
        Assert.True(Waiting(bus, "b-1") && Waiting(bus, "b-2"), "a batch was settled before its fan-out succeeded");

        fanout.Release(1);
        Assert.Equal(2L, Assert.Single(await fanout.BeganAsync(2)));
        await Waits.UntilAsync(() => !Waiting(bus, "b-1"), Waits.Item, "batch 1 to be completed once its fan-out succeeded");
        Assert.True(Waiting(bus, "b-2"), "batch 2 was settled before its fan-out");

        fanout.PassFrom(2);
        await SendAsync(bus, "b-3");
        var items = await stream.NextAsync(3, Waits.Item);
        Assert.Equal([(1L, "b-1"), (2L, "b-2"), (3L, "b-3")], items.Select(i => (SseIds.Offset(i), i.Data)));
        await AllSettledAsync(bus);
        Assert.Equal(["b-1", "b-2", "b-3"], await gateway.LogDataAsync(Channel));
        Assert.Equal([[1L], [1L], [2L], [3L]], fanout.Offsets);
        Assert.Equal(1, fanout.MostAtOnce);
        Assert.Empty(bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription));
    }

    [Fact]
    public async Task A_fan_out_given_up_while_the_next_batch_is_appended_leaves_its_batch_to_redelivery_and_loses_nothing()
    {
        // Short locks and a short renewal budget: the held fan-out of batch 1 ends when its locks are lost.
        await using var bus = await BusEnvironment.StartAsync(new TestServiceBusBrokerOptions { LockDuration = TimeSpan.FromSeconds(2) });
        var (gateway, fanout) = await StartGatewayAsync(bus, ("Gateway:ServiceBus:MaxLockRenewalDuration", "00:00:00.500"));
        await using var _ = gateway;
        await using var stream = await gateway.OpenStreamAsync(Channel);

        await SendAsync(bus, "c-1");
        Assert.Equal(1L, Assert.Single(await fanout.BeganAsync(0)));
        // Only batch 1's first fan-out is held, until ingest gives it up; every later one goes through.
        fanout.PassFrom(1);
        await SendAsync(bus, "c-2");

        // Batch 1 goes back to the subscription; its redelivery is found in the log and fanned out again. A stream that
        // got offset 2 first fills offset 1 from the log and drops the late copy: every event once, in the log's order.
        var items = await stream.NextAsync(2, TimeSpan.FromSeconds(30));
        Assert.Equal([(1L, "c-1"), (2L, "c-2")], items.Select(i => (SseIds.Offset(i), i.Data)));
        await AllSettledAsync(bus);
        await SendAsync(bus, "c-3");
        var next = await stream.NextAsync();
        Assert.Equal((3L, "c-3"), (SseIds.Offset(next), next.Data));
        Assert.Equal(["c-1", "c-2", "c-3"], await gateway.LogDataAsync(Channel));
        var offsets = fanout.Offsets;
        Assert.Equal([1L], offsets[0]);
        Assert.Contains(offsets.Skip(1), o => o.Contains(1L));
        Assert.Equal(1, fanout.MostAtOnce);
        Assert.Empty(bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription));
    }

    [Fact]
    public async Task A_graceful_stop_with_two_batches_in_hand_fans_out_and_completes_both()
    {
        await using var bus = await BusEnvironment.StartAsync();
        var (gateway, fanout) = await StartGatewayAsync(bus);
        await using var _ = gateway;

        await SendAsync(bus, "d-1");
        Assert.Equal(1L, Assert.Single(await fanout.BeganAsync(0)));
        await SendAsync(bus, "d-2");
        await gateway.WaitForHeadAsync(Channel, 2);

        // The stop waits for the batches in hand (within the host's shutdown timeout), as it did for one.
        var stopping = gateway.StopAsync(Waits.Shutdown);
        fanout.PassFrom(0);
        await stopping;

        Assert.Equal(0, bus.Broker.ActiveMessageCount(BusEnvironment.Topic, BusEnvironment.Subscription));
        Assert.Equal([[1L], [2L]], fanout.Offsets);
        Assert.Empty(bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription));
    }

    private static async Task<(GatewayTestHost Gateway, HeldFanout Fanout)> StartGatewayAsync(BusEnvironment bus, params (string Key, string Value)[] settings)
    {
        var gateway = await bus.StartGatewayAsync(
            configure: s =>
            {
                s.AddSingleton(sp => new HeldFanout(sp.GetRequiredService<ServiceBusFanout>()));
                s.AddSingleton<IEventFanout>(sp => sp.GetRequiredService<HeldFanout>());
            },
            settings: settings);
        return (gateway, gateway.Services.GetRequiredService<HeldFanout>());
    }

    private static Task SendAsync(BusEnvironment bus, string data) => bus.Producer.SendMessageAsync(GatewayMessages.Create(Channel, data));

    /// <summary>The message is still in the ingest subscription: not completed (nor dead-lettered).</summary>
    private static bool Waiting(BusEnvironment bus, string data) =>
        bus.Broker.ActiveMessages(BusEnvironment.Topic, BusEnvironment.Subscription).Any(m => Encoding.UTF8.GetString(m.Body.Span) == data);

    private static Task AllSettledAsync(BusEnvironment bus) =>
        Waits.UntilAsync(() => bus.Broker.ActiveMessageCount(BusEnvironment.Topic, BusEnvironment.Subscription) == 0, TimeSpan.FromSeconds(30), "every message to be completed");
}
