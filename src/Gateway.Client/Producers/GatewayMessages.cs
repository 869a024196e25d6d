using System.Text;
using Azure.Messaging.ServiceBus;
using Gateway.Client.Rules;

namespace Gateway.Client.Producers;

/// <summary>
/// Builds the Service Bus message the gateway ingests from its <c>events</c> topic: application property
/// <c>channel</c>, <c>Subject</c> = event name, body = the data as UTF-8, a <c>MessageId</c> for the topic's duplicate
/// detection and <c>SessionId</c> = channel (so a session-enabled subscription keeps each channel in send order; without
/// sessions it is ignored). The event is checked with the gateway's rules first, so a typo throws here instead of
/// landing in the dead-letter queue.
/// </summary>
public static class GatewayMessages
{
    /// <summary>The application property that names the channel.</summary>
    public const string ChannelProperty = "channel";

    /// <summary>The content type set on every message: the body is UTF-8 text.</summary>
    public const string ContentType = "text/plain; charset=utf-8";

    /// <summary>A message for <paramref name="data"/> as UTF-8 text.</summary>
    /// <param name="channel">The channel the event goes to.</param>
    /// <param name="data">The event's data.</param>
    /// <param name="eventName">The SSE event name; null for the default <c>message</c> event.</param>
    /// <param name="messageId">
    /// Keep it when you resend the same event (the topic drops the resend as a duplicate); null makes a new GUID. See
    /// <see cref="MessageIdFor"/> to derive it from an idempotency key.
    /// </param>
    /// <param name="limits">The gateway's <c>Gateway:Events</c> limits, when not the defaults.</param>
    /// <exception cref="InvalidGatewayEventException">The gateway would refuse the event.</exception>
    public static ServiceBusMessage Create(string channel, string data, string? eventName = null, string? messageId = null, GatewayEventLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Create(channel, Encoding.UTF8.GetBytes(data), eventName, messageId, limits);
    }

    /// <summary>A message for <paramref name="data"/>, which must be UTF-8.</summary>
    /// <param name="channel">The channel the event goes to.</param>
    /// <param name="data">The event's data as UTF-8 bytes.</param>
    /// <param name="eventName">The SSE event name; null for the default <c>message</c> event.</param>
    /// <param name="messageId">Keep it when you resend the same event; null makes a new GUID.</param>
    /// <param name="limits">The gateway's <c>Gateway:Events</c> limits, when not the defaults.</param>
    /// <exception cref="InvalidGatewayEventException">The gateway would refuse the event.</exception>
    public static ServiceBusMessage Create(string channel, ReadOnlyMemory<byte> data, string? eventName = null, string? messageId = null, GatewayEventLimits? limits = null)
    {
        GatewayEventRules.Validate(channel, eventName, data.Span, limits);
        var message = new ServiceBusMessage(data)
        {
            Subject = eventName,
            ContentType = ContentType,
            MessageId = messageId ?? Guid.NewGuid().ToString("N"),
            SessionId = channel,
        };
        message.ApplicationProperties[ChannelProperty] = channel;
        return message;
    }

    /// <summary>
    /// The <c>MessageId</c> for an idempotency key in <paramref name="channel"/>: the one the gateway's HTTP publish uses
    /// for the same key, so an HTTP publish and an SDK send of the same event are one event to the topic.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="idempotencyKey"/> is not 1–200 visible ASCII characters.</exception>
    public static string MessageIdFor(string channel, string idempotencyKey)
    {
        GatewayEventRules.ValidateIdempotencyKey(idempotencyKey);
        return IdempotencyKeyRule.MessageIdOf(channel, idempotencyKey);
    }
}
