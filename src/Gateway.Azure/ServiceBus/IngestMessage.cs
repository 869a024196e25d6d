using Azure.Messaging.ServiceBus;
using Gateway.Core.Bus;
using Gateway.Core.Telemetry;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// The producer contract on the ingest topic: application property <c>channel</c>, <c>Subject</c> = event name
/// (absent → the default <c>message</c>), body = the data as UTF-8, and the message's sequence number in the
/// ingest subscription as its dedupe id (stable across redeliveries).
/// </summary>
public static class IngestMessage
{
    public const string ChannelProperty = "channel";

    public static ServiceBusMessage Create(string channel, string? eventName, ReadOnlyMemory<byte> data)
    {
        var message = new ServiceBusMessage(data) { Subject = eventName, ContentType = "text/plain; charset=utf-8" };
        message.ApplicationProperties[ChannelProperty] = channel;
        return message;
    }

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
