using Azure.Messaging.ServiceBus;
using Gateway.Core.Bus;
using Gateway.Core.Telemetry;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// The producer contract on the ingest topic: application property <c>channel</c>, <c>Subject</c> = event name
/// (absent → the default <c>message</c>), body = the data as UTF-8, and the message's sequence number in the
/// ingest subscription as its dedupe id (stable across redeliveries). With <c>Gateway:ServiceBus:Sessions</c> on,
/// <c>SessionId</c> = the channel as well (the session is what keeps a channel's send order).
/// </summary>
public static class IngestMessage
{
    public const string ChannelProperty = "channel";

    /// <summary>The dead-letter reason of a message whose SessionId is not its channel (sessions on).</summary>
    public const string SessionIdMismatch = "SessionIdMismatch";

    /// <summary>
    /// The message the gateway's own HTTP publish sends. SessionId is the channel whether or not the subscription
    /// requires sessions: without sessions it is ignored, with them it is required.
    /// </summary>
    public static ServiceBusMessage Create(string channel, string? eventName, ReadOnlyMemory<byte> data)
    {
        var message = new ServiceBusMessage(data) { Subject = eventName, ContentType = "text/plain; charset=utf-8", SessionId = channel };
        message.ApplicationProperties[ChannelProperty] = channel;
        return message;
    }

    /// <summary>
    /// With sessions on: what is wrong with the message's SessionId (it must equal its <c>channel</c> property, or two
    /// channels would share one order, or one channel would be ingested by two sessions at once), or null when it is right.
    /// </summary>
    public static string? SessionIdProblem(ServiceBusReceivedMessage message) =>
        message.ApplicationProperties.TryGetValue(ChannelProperty, out var value) && value is string channel && !string.Equals(message.SessionId, channel, StringComparison.Ordinal)
            ? $"The message's SessionId '{message.SessionId}' differs from its channel '{channel}'. With Gateway:ServiceBus:Sessions on, producers must set SessionId to the channel: the session is what keeps the channel's send order."
            : null;

    /// <summary>
    /// What is wrong with the message's <c>channel</c> property (absent, or not a string), or null when it is a
    /// string; the ingestor validates the name itself.
    /// </summary>
    public static string? ChannelPropertyProblem(ServiceBusReceivedMessage message) =>
        !message.ApplicationProperties.TryGetValue(ChannelProperty, out var channel)
            ? $"The message has no application property '{ChannelProperty}'; set it to the name of the channel."
            : channel is string
                ? null
                : $"The application property '{ChannelProperty}' is {(channel is null ? "null" : "of type " + channel.GetType().Name)}; it must be a string naming the channel.";

    /// <summary>
    /// Why ingest refuses the message before the ingestor sees it (dead-letter reason and description): no string
    /// <c>channel</c> property, or with <paramref name="sessions"/> a SessionId that is not the channel; null when none.
    /// </summary>
    public static (string Reason, string Description)? Refusal(ServiceBusReceivedMessage message, bool sessions) =>
        ChannelPropertyProblem(message) is { } channel ? (EventIngestor.InvalidChannel, channel)
        : sessions && SessionIdProblem(message) is { } session ? (SessionIdMismatch, session)
        : null;

    /// <summary>Reads a delivery as-is for the ingestor to validate, with the trace context its producer sent it in.</summary>
    public static IncomingEvent Read(ServiceBusReceivedMessage message) => new(
        message.ApplicationProperties.TryGetValue(ChannelProperty, out var channel) ? channel as string : null,
        message.Subject,
        message.Body.ToMemory(),
        message.SequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
        message.EnqueuedTime)
    {
        // Read only while the gateway traces: the ingest span continues the producer's send.
        Trace = GatewayTracing.Source.HasListeners() ? MessageTraceContext.Read(message.ApplicationProperties) : default,
    };
}
