using System.Diagnostics.CodeAnalysis;
using Azure.Messaging.ServiceBus;
using Gateway.Core.Events;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// The wire format of a committed event on the fan-out topic: application properties <c>channel</c>,
/// <c>epoch</c>, <c>offset</c>, <c>event</c> (absent for the default name) and <c>time</c> (Unix milliseconds
/// of the commit); body = the data. Only gateways write and read it.
/// </summary>
public static class FanoutMessage
{
    public const string ChannelProperty = "channel";
    public const string EpochProperty = "epoch";
    public const string OffsetProperty = "offset";
    public const string EventProperty = "event";
    public const string TimeProperty = "time";

    public static ServiceBusMessage Create(ChannelEvent e)
    {
        var message = new ServiceBusMessage(e.Data);
        message.ApplicationProperties[ChannelProperty] = e.Channel;
        message.ApplicationProperties[EpochProperty] = e.Epoch;
        message.ApplicationProperties[OffsetProperty] = e.Offset;
        message.ApplicationProperties[TimeProperty] = e.Time.ToUnixTimeMilliseconds();
        if (e.EventName is not null)
        {
            message.ApplicationProperties[EventProperty] = e.EventName;
        }

        return message;
    }

    public static bool TryRead(ServiceBusReceivedMessage message, [NotNullWhen(true)] out ChannelEvent? e)
    {
        var p = message.ApplicationProperties;
        if (p.TryGetValue(ChannelProperty, out var channel) && channel is string c
            && p.TryGetValue(EpochProperty, out var epoch) && epoch is string ep
            && p.TryGetValue(OffsetProperty, out var offset) && offset is long o && o >= 1
            && p.TryGetValue(TimeProperty, out var time) && time is long t)
        {
            var name = p.TryGetValue(EventProperty, out var n) ? n as string : null;
            e = new ChannelEvent(c, ep, o, name, message.Body.ToMemory(), DateTimeOffset.FromUnixTimeMilliseconds(t));
            return true;
        }

        e = null;
        return false;
    }
}
