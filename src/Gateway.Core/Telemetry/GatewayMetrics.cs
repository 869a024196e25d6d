using System.Diagnostics.Metrics;

namespace Gateway.Core.Telemetry;

/// <summary>The gateway's instruments, on the meter <see cref="MeterName"/> (export it with OpenTelemetry).</summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "Gateway";

    private readonly UpDownCounter<long> _streamsConnected;
    private readonly Counter<long> _eventsIngested;
    private readonly Counter<long> _eventsDelivered;
    private readonly Counter<long> _eventsReplayed;
    private readonly Counter<long> _gapFills;
    private readonly Counter<long> _streamEnds;
    private readonly Counter<long> _resets;
    private readonly Counter<long> _appendConflicts;
    private readonly Counter<long> _messagesRejected;
    private readonly Counter<long> _requestsRefused;
    private readonly Histogram<double> _ingestLag;
    private readonly UpDownCounter<long> _ingestOutage;
    private readonly Counter<long> _ingestStopped;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _streamsConnected = meter.CreateUpDownCounter<long>("gateway.streams.connected", "{stream}", "Open SSE streams on this instance.");
        _eventsIngested = meter.CreateCounter<long>("gateway.events.ingested", "{event}", "Events appended to the log.");
        _eventsDelivered = meter.CreateCounter<long>("gateway.events.delivered", "{event}", "Events written to streams live.");
        _eventsReplayed = meter.CreateCounter<long>("gateway.events.replayed", "{event}", "Events written to streams from the log.");
        _gapFills = meter.CreateCounter<long>("gateway.stream.gap_fills", "{fill}", "Times a stream filled a gap in live offsets from the log.");
        _streamEnds = meter.CreateCounter<long>("gateway.stream.ends", "{stream}", "Streams the gateway ended, by reason (deadline, shutdown, slow_consumer).");
        _resets = meter.CreateCounter<long>("gateway.stream.resets", "{reset}", "Reset events sent, by reason.");
        _appendConflicts = meter.CreateCounter<long>("gateway.log.append_conflicts", "{conflict}", "Appends that lost an offset race and retried.");
        _messagesRejected = meter.CreateCounter<long>("gateway.ingest.rejected", "{message}", "Messages refused at ingest (dead-lettered), by reason.");
        _requestsRefused = meter.CreateCounter<long>("gateway.requests.refused", "{request}", "Requests refused by a limit (streams, streams_per_client, publish_rate).");
        _ingestLag = meter.CreateHistogram<double>("gateway.ingest.lag", "s", "Time from a message's enqueue to its commit in the log.");
        _ingestOutage = meter.CreateUpDownCounter<long>("gateway.ingest.outage", "{outage}", "1 while this instance's ingest waits for an unreachable event log (it holds its batch and renews its locks), else 0.");
        _ingestStopped = meter.CreateCounter<long>("gateway.ingest.stopped", "{stop}", "Times ingest stopped because the event log's store refused it for good (no permission, no table), by reason.");
    }

    public void StreamOpened() => _streamsConnected.Add(1);

    public void StreamClosed() => _streamsConnected.Add(-1);

    public void EventsIngested(long count) => _eventsIngested.Add(count);

    public void EventDelivered() => _eventsDelivered.Add(1);

    public void EventReplayed() => _eventsReplayed.Add(1);

    public void GapFilled() => _gapFills.Add(1);

    public void StreamEnded(string reason) => _streamEnds.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void ResetSent(string reason) => _resets.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void AppendConflict() => _appendConflicts.Add(1);

    public void MessageRejected(string reason) => _messagesRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void RequestRefused(string limit) => _requestsRefused.Add(1, new KeyValuePair<string, object?>("limit", limit));

    public void IngestLag(TimeSpan lag) => _ingestLag.Record(lag.TotalSeconds);

    /// <summary>+1 when ingest starts waiting for an unreachable log, -1 when the log is back.</summary>
    public void IngestOutage(long delta) => _ingestOutage.Add(delta);

    public void IngestStopped(string reason) => _ingestStopped.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
