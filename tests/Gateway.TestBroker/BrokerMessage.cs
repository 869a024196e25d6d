namespace Gateway.TestBroker;

/// <summary>A snapshot of a message in the broker, for test assertions.</summary>
/// <param name="SequenceNumber">The entity's sequence number.</param>
/// <param name="DeliveryCount">How many times it was handed to a receiver (including deliveries the receiver released unprocessed).</param>
/// <param name="Subject">The producer's Subject (AMQP properties.subject).</param>
/// <param name="Body">The body bytes (Data sections concatenated).</param>
/// <param name="ApplicationProperties">Application properties, including the dead-letter ones.</param>
/// <param name="DeadLetterReason">Why it was dead-lettered, if it was.</param>
/// <param name="DeadLetterErrorDescription">The dead-letter description, if any.</param>
/// <param name="SessionId">The producer's SessionId (AMQP properties.group-id), if any.</param>
public sealed record BrokerMessage(
    long SequenceNumber,
    int DeliveryCount,
    string? Subject,
    ReadOnlyMemory<byte> Body,
    IReadOnlyDictionary<string, object?> ApplicationProperties,
    string? DeadLetterReason,
    string? DeadLetterErrorDescription,
    string? SessionId = null);
