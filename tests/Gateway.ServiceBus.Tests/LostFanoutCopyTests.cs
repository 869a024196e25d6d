using System.Diagnostics;
using Azure.Messaging.ServiceBus.Administration;
using Gateway.Azure.ServiceBus;
using Gateway.Client.Producers;
using Gateway.Core.Bus;
using Gateway.Testing;
using Gateway.Testing.Faults;
using Gateway.Testing.ServiceBus;
using Gateway.Testing.Sse;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Gateway.ServiceBus.Tests;

/// <summary>
/// A fan-out copy that never reaches an instance (its subscription deleted, the copy dropped) delays its event only
/// by about the head-check interval: the instance reads the channel's head while the channel is quiet and its streams
/// fill in from the log.
/// </summary>
public sealed class LostFanoutCopyTests(ITestOutputHelper output)
{
    private const string Channel = "lossy";
    private const string InstanceId = "lossy-instance";

    // The bound under test is about this plus one tick (1 s); the waits below are many times that.
    private static readonly (string, string) HeadCheck = ("Gateway:Stream:HeadCheckInterval", "00:00:01");

    [Fact]
    public async Task An_event_sent_while_the_instance_subscription_is_deleted_reaches_the_stream_from_the_log()
    {
        await using var bus = await BusEnvironment.StartAsync();
        await using var gateway = await bus.StartGatewayAsync(settings: [HeadCheck, ("Gateway:ServiceBus:InstanceId", InstanceId)]);
        await using var stream = await gateway.OpenStreamAsync(Channel);
        await Waits.UntilAsync(() => gateway.Hub.SubscriberCount == 1, Waits.Item, "the stream to subscribe");
        await bus.Producer.SendMessageAsync(GatewayMessages.Create(Channel, "before"));
        Assert.Equal("before", (await stream.NextAsync()).Data);

        var admin = new ServiceBusAdministrationClient(bus.ConnectionString);
        await admin.DeleteSubscriptionAsync(BusEnvironment.FanoutTopic, InstanceId);
        await bus.Producer.SendMessageAsync(GatewayMessages.Create(Channel, "while deleted"));
        await gateway.WaitForHeadAsync(Channel, 2);
        var clock = Stopwatch.StartNew();

        var item = await stream.NextAsync(Waits.Item);
        output.WriteLine($"delivered {clock.Elapsed.TotalSeconds:0.00} s after the log had it");
        Assert.Equal((2L, "while deleted"), (SseIds.Offset(item), item.Data));
    }

    [Fact]
    public async Task A_dropped_copy_of_the_last_event_reaches_the_stream_from_the_log_and_later_events_follow_in_order()
    {
        await using var bus = await BusEnvironment.StartAsync();
        await using var gateway = await bus.StartGatewayAsync(
            configure: services =>
            {
                services.AddSingleton(sp => new DroppingFanout(sp.GetRequiredService<ServiceBusFanout>()));
                services.AddSingleton<IEventFanout>(sp => sp.GetRequiredService<DroppingFanout>());
            },
            settings: [HeadCheck]);
        var fanout = gateway.Services.GetRequiredService<DroppingFanout>();
        await using var stream = await gateway.OpenStreamAsync(Channel);
        await Waits.UntilAsync(() => gateway.Hub.SubscriberCount == 1, Waits.Item, "the stream to subscribe");
        await bus.Producer.SendMessageAsync(GatewayMessages.Create(Channel, "one"));
        Assert.Equal("one", (await stream.NextAsync()).Data);

        fanout.DropNext();
        await bus.Producer.SendMessageAsync(GatewayMessages.Create(Channel, "two"));
        await gateway.WaitForHeadAsync(Channel, 2);
        Assert.Equal(1, fanout.Dropped);
        var clock = Stopwatch.StartNew();
        var lost = await stream.NextAsync(Waits.Item);
        output.WriteLine($"delivered {clock.Elapsed.TotalSeconds:0.00} s after the log had it");

        await bus.Producer.SendMessageAsync(GatewayMessages.Create(Channel, "three"));
        var next = await stream.NextAsync();
        Assert.Equal([(2L, "two"), (3L, "three")], new[] { lost, next }.Select(i => (SseIds.Offset(i), i.Data)));
    }
}
