using System.Text;
using Azure.Messaging.ServiceBus;
using Gateway.Azure.ServiceBus;
using Gateway.Client.Producers;
using Gateway.Testing;
using Gateway.Testing.ServiceBus;
using Gateway.Testing.Sse;

namespace Gateway.ServiceBus.Tests;

/// <summary>
/// The fan-out topic is not trusted blindly: a message that is not a committed event as gateways write it is
/// dead-lettered with the reason, and a well-formed one the log does not confirm never moves a stream.
/// </summary>
public sealed class ForgedFanoutTests
{
    private const string Channel = "forged";
    private const string InstanceId = "forge-target";

    [Fact]
    public async Task Invalid_fanout_messages_are_dead_lettered_with_the_reason()
    {
        await using var bus = await BusEnvironment.StartAsync();
        await using var gateway = await bus.StartGatewayAsync(settings: ("Gateway:ServiceBus:InstanceId", InstanceId));
        await using var sender = bus.Client.CreateSender(BusEnvironment.FanoutTopic);

        await sender.SendMessagesAsync(
        [
            Forged("bad channel!", "abc123", 1, "x"),
            Forged(Channel, "NOT-AN-EPOCH", 1, "x"),
            Forged(Channel, "abc123", 0, "x"),
            Forged(Channel, "abc123", 1, [0xff, 0xfe]),
            Forged(Channel, "abc123", 1, "x", eventName: "bad\nname"),
        ]);

        await Waits.UntilAsync(() => bus.Broker.DeadLetters(BusEnvironment.FanoutTopic, InstanceId).Count == 5, Waits.Item, "five dead letters");
        var dead = bus.Broker.DeadLetters(BusEnvironment.FanoutTopic, InstanceId);
        Assert.All(dead, d => Assert.Equal(FanoutMessage.InvalidFanoutMessage, d.DeadLetterReason));
        Assert.Contains(dead, d => d.DeadLetterErrorDescription!.Contains("channel", StringComparison.Ordinal));
        Assert.Contains(dead, d => d.DeadLetterErrorDescription!.Contains("epoch", StringComparison.Ordinal));
        Assert.Contains(dead, d => d.DeadLetterErrorDescription!.Contains("offset", StringComparison.Ordinal));
        Assert.Contains(dead, d => d.DeadLetterErrorDescription!.Contains("UTF-8", StringComparison.Ordinal));
        Assert.Contains(dead, d => d.DeadLetterErrorDescription!.Contains("CR, LF", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_forged_offset_far_ahead_does_not_make_a_stream_drop_the_real_events_after_it()
    {
        await using var bus = await BusEnvironment.StartAsync();
        await using var gateway = await bus.StartGatewayAsync(settings: ("Gateway:ServiceBus:InstanceId", InstanceId));
        await using var stream = await gateway.OpenStreamAsync(Channel);
        await Waits.UntilAsync(() => gateway.Hub.SubscriberCount == 1, Waits.Item, "the stream to subscribe");
        await bus.Producer.SendMessageAsync(GatewayMessages.Create(Channel, "real 1"));
        var first = await stream.NextAsync();
        var epoch = first.EventId![..first.EventId!.LastIndexOf('-')];

        // Right channel and epoch, well-formed, but an offset the log has never had.
        await using var sender = bus.Client.CreateSender(BusEnvironment.FanoutTopic);
        await sender.SendMessageAsync(Forged(Channel, epoch, 1000, "forged"));
        await Waits.UntilAsync(() => bus.Broker.ActiveMessageCount(BusEnvironment.FanoutTopic, InstanceId) == 0, Waits.Item, "the forged message to be taken");

        foreach (var data in new[] { "real 2", "real 3", "real 4" })
        {
            await bus.Producer.SendMessageAsync(GatewayMessages.Create(Channel, data));
        }

        var rest = await stream.NextAsync(3);
        Assert.Equal([(2L, "real 2"), (3L, "real 3"), (4L, "real 4")], rest.Select(i => (SseIds.Offset(i), i.Data)));
        Assert.All(rest, i => Assert.Equal("message", i.EventType));
    }

    private static ServiceBusMessage Forged(string channel, string epoch, long offset, string data, string? eventName = null) =>
        Forged(channel, epoch, offset, Encoding.UTF8.GetBytes(data), eventName);

    private static ServiceBusMessage Forged(string channel, string epoch, long offset, byte[] data, string? eventName = null)
    {
        var message = new ServiceBusMessage(data);
        message.ApplicationProperties[FanoutMessage.ChannelProperty] = channel;
        message.ApplicationProperties[FanoutMessage.EpochProperty] = epoch;
        message.ApplicationProperties[FanoutMessage.OffsetProperty] = offset;
        message.ApplicationProperties[FanoutMessage.TimeProperty] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (eventName is not null)
        {
            message.ApplicationProperties[FanoutMessage.EventProperty] = eventName;
        }

        return message;
    }
}
