using System.Diagnostics;

namespace Gateway.Core.Bus;

/// <summary>
/// A message as a bus delivered it, not yet validated. <paramref name="SourceId"/> is stable across
/// redeliveries of the same message (e.g. its sequence number in the ingest subscription).
/// <paramref name="EnqueuedTime"/>, when the bus knows it, is when the bus accepted the message: ingest lag is measured from it.
/// </summary>
public sealed record IncomingEvent(string? Channel, string? EventName, ReadOnlyMemory<byte> Data, string SourceId, DateTimeOffset? EnqueuedTime = null)
{
    /// <summary>The trace context the producer sent it in (Service Bus: <c>traceparent</c> / <c>Diagnostic-Id</c>); default when none.</summary>
    public ActivityContext Trace { get; init; }
}
