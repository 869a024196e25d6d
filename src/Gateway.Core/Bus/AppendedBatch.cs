using System.Diagnostics;
using Gateway.Core.Events;

namespace Gateway.Core.Bus;

/// <summary>
/// An ingest batch in the log, not yet fanned out (<see cref="EventIngestor.AppendAsync"/>): what happened to each
/// message, and the events its fan-out carries. Disposing it ends the batch's trace span.
/// </summary>
public sealed class AppendedBatch : IDisposable
{
    internal AppendedBatch(IReadOnlyList<IngestOutcome> outcomes, IReadOnlyList<ChannelEvent> events, Activity? activity)
    {
        Outcomes = outcomes;
        Events = events;
        Activity = activity;
    }

    /// <summary>One per message of the batch, in its order.</summary>
    public IReadOnlyList<IngestOutcome> Outcomes { get; }

    /// <summary>
    /// The events to fan out: per channel those appended now, then those an earlier delivery of a message appended
    /// (it may have failed before its fan-out; subscribers drop offsets they have passed).
    /// </summary>
    public IReadOnlyList<ChannelEvent> Events { get; }

    /// <summary>The batch's <see cref="Telemetry.GatewayTracing.Ingest"/> span, while traces are listened to.</summary>
    internal Activity? Activity { get; }

    public void Dispose() => Activity?.Dispose();
}
