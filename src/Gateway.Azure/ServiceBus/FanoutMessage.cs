using System.Diagnostics.CodeAnalysis;
using Azure.Messaging.ServiceBus;
using Gateway.Core.Channels;
using Gateway.Core.Events;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// The wire format of a committed event on the fan-out topic: application properties <c>channel</c>,
/// <c>epoch</c>, <c>offset</c>, <c>event</c> (absent for the default name) and <c>time</c> (Unix milliseconds
/// of the commit); body = the data. Only gateways write and read it; a message that does not meet the rules is refused.
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

    /// <summary>The dead-letter reason of a fan-out message that is not a committed event as gateways write it.</summary>
    public const string InvalidFanoutMessage = "InvalidFanoutMessage";

    /// <summary>
    /// Reads a committed event, validated as ingest validates producers' events (channel name, epoch, offset ≥ 1,
    /// commit time, event name, data): the fan-out topic is only as trustworthy as whoever may send to it.
    /// </summary>
    /// <remarks>On false, <paramref name="problem"/> says what is wrong, for the dead letter.</remarks>
    public static bool TryRead(ServiceBusReceivedMessage message, EventRules rules, [NotNullWhen(true)] out ChannelEvent? e, [NotNullWhen(false)] out string? problem)
    {
        e = null;
        problem = Problem(message, rules);
        if (problem is not null)
        {
            return false;
        }

        var p = message.ApplicationProperties;
        var name = p.TryGetValue(EventProperty, out var n) ? (string?)n : null;
        e = new ChannelEvent((string)p[ChannelProperty], (string)p[EpochProperty], (long)p[OffsetProperty], name, message.Body.ToMemory(), DateTimeOffset.FromUnixTimeMilliseconds((long)p[TimeProperty]));
        return true;
    }

    private static string? Problem(ServiceBusReceivedMessage message, EventRules rules)
    {
        var p = message.ApplicationProperties;
        if (!ChannelName.TryValidate(p.TryGetValue(ChannelProperty, out var channel) ? channel as string : null, out var channelError))
        {
            return $"'{ChannelProperty}': {channelError}";
        }

        if (!p.TryGetValue(EpochProperty, out var epoch) || !EventPosition.IsValidEpoch(epoch as string))
        {
            return $"'{EpochProperty}' must be 1–{EventPosition.MaxEpochLength} lowercase letters or digits.";
        }

        if (!p.TryGetValue(OffsetProperty, out var offset) || offset is not long o || o < 1)
        {
            return $"'{OffsetProperty}' must be a long of at least 1.";
        }

        if (!p.TryGetValue(TimeProperty, out var time) || time is not long t || t < 0 || t > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return $"'{TimeProperty}' must be a long of Unix milliseconds.";
        }

        if (p.TryGetValue(EventProperty, out var name) && name is not string)
        {
            return $"'{EventProperty}' must be a string when present.";
        }

        if (!rules.TryValidateEventName(name as string, out var nameError))
        {
            return nameError;
        }

        return rules.TryValidateData(message.Body.ToMemory().Span, out var dataError) ? null : dataError;
    }
}
