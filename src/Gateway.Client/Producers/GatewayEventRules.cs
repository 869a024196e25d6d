using Gateway.Client.Rules;

namespace Gateway.Client.Producers;

/// <summary>
/// The checks the gateway applies to an event at ingest and at HTTP publish, for producers: the same code (the rules
/// are one source file compiled into the gateway and into this package), the same order and the same words.
/// </summary>
public static class GatewayEventRules
{
    /// <summary>Whether <paramref name="channel"/> is a valid channel name (1–128 of ASCII letters, digits, <c>-_.:</c>).</summary>
    public static bool IsValidChannel(string? channel) => ChannelNameRule.TryValidate(channel, out _);

    /// <summary>
    /// Throws <see cref="InvalidGatewayEventException"/> for the first rule the event breaks, checked in ingest's order:
    /// channel, event name, data. <paramref name="eventName"/> null means the default <c>message</c> event.
    /// </summary>
    public static void Validate(string? channel, string? eventName, ReadOnlySpan<byte> data, GatewayEventLimits? limits = null)
    {
        if (Check(channel, eventName, data, limits) is { } invalid)
        {
            throw invalid;
        }
    }

    /// <summary>The first rule the event breaks as an exception (not thrown), or null when the gateway would accept it.</summary>
    public static InvalidGatewayEventException? Check(string? channel, string? eventName, ReadOnlySpan<byte> data, GatewayEventLimits? limits = null)
    {
        limits ??= GatewayEventLimits.Default;
        if (!ChannelNameRule.TryValidate(channel, out var channelError))
        {
            return new InvalidGatewayEventException(GatewayEventReasons.InvalidChannel, channelError, nameof(channel));
        }

        if (!EventContentRules.TryValidateEventName(eventName, limits.MaxEventNameLength, out var nameError))
        {
            return new InvalidGatewayEventException(GatewayEventReasons.InvalidEventName, nameError, nameof(eventName));
        }

        if (!EventContentRules.TryValidateData(data, limits.MaxDataBytes, out var dataError))
        {
            return new InvalidGatewayEventException(GatewayEventReasons.InvalidData, dataError, nameof(data));
        }

        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="key"/> is a valid <c>Idempotency-Key</c> (1–200 visible ASCII characters).</summary>
    public static void ValidateIdempotencyKey(string key)
    {
        if (!IdempotencyKeyRule.TryValidate(key, out var error))
        {
            throw new ArgumentException(error, nameof(key));
        }
    }
}
