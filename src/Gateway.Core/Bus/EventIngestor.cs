using System.Diagnostics;
using Gateway.Core.Channels;
using Gateway.Core.Events;
using Gateway.Core.Log;
using Gateway.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace Gateway.Core.Bus;

/// <summary>
/// The one path every event takes into the log: validate → append per channel (offsets assigned there)
/// → fan the committed events out to every instance's hub. The caller settles the source messages only
/// after both steps succeeded; if either throws, nothing is settled and the bus redelivers (the log's dedupe keeps a
/// redelivered message from being appended twice, and its events are fanned out again).
/// </summary>
/// <remarks>
/// <see cref="IngestAsync"/> takes both steps at once. <see cref="AppendAsync"/> and <see cref="FanOutAsync"/> take
/// them apart, so that a caller may append the next batch while this one's fan-out is on its way; that caller keeps
/// the fan-outs in append order (subscribers then see no gap they must fill from the log).
/// </remarks>
public sealed partial class EventIngestor(
    IEventLog log,
    IEventFanout fanout,
    EventRules rules,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<EventIngestor> logger)
{
    public const string InvalidChannel = "InvalidChannel";
    public const string InvalidEventName = "InvalidEventName";
    public const string InvalidData = "InvalidData";

    /// <summary>Ingests a batch (appends it, then fans it out); the outcomes are in the order of <paramref name="batch"/>.</summary>
    public async Task<IReadOnlyList<IngestOutcome>> IngestAsync(IReadOnlyList<IncomingEvent> batch, CancellationToken cancellationToken)
    {
        using var appended = await AppendAsync(batch, cancellationToken);
        await FanOutAsync(appended, cancellationToken);
        return appended.Outcomes;
    }

    /// <summary>
    /// Validates a batch and appends it to the log, without fanning it out: the outcomes are in the order of
    /// <paramref name="batch"/>. Dispose the result once its fan-out is done or given up (it ends the batch's trace span).
    /// </summary>
    public async Task<AppendedBatch> AppendAsync(IReadOnlyList<IncomingEvent> batch, CancellationToken cancellationToken)
    {
        var activity = IngestTracing.StartIngest(batch);
        try
        {
            return await AppendTracedAsync(batch, activity, cancellationToken);
        }
        catch
        {
            activity?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Fans an appended batch out (again, when an earlier attempt failed: subscribers drop offsets they have passed).
    /// The fan-out send continues the batch's trace.
    /// </summary>
    public async Task FanOutAsync(AppendedBatch appended, CancellationToken cancellationToken)
    {
        if (appended.Events.Count == 0)
        {
            return;
        }

        if (appended.Activity is { IsStopped: false } ingest)
        {
            // The send's span is the ingest span's child, whichever flow fans out; the change ends with this method.
            Activity.Current = ingest;
        }

        await fanout.PublishAsync(appended.Events, cancellationToken);
    }

    private async Task<AppendedBatch> AppendTracedAsync(IReadOnlyList<IncomingEvent> batch, Activity? activity, CancellationToken cancellationToken)
    {
        var outcomes = new IngestOutcome[batch.Count];
        var byChannel = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        var repeats = new List<(int Index, int First)>();
        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i];
            if (!first.TryAdd(message.SourceId, i))
            {
                // The same message twice in one batch: the first copy stands for both.
                repeats.Add((i, first[message.SourceId]));
                continue;
            }

            var rejection = Validate(message);
            if (rejection is not null)
            {
                outcomes[i] = rejection;
                metrics.MessageRejected(rejection.Reason!);
                LogRejected(message.SourceId, rejection.Reason!, rejection.Description!);
                continue;
            }

            if (!byChannel.TryGetValue(message.Channel!, out var indexes))
            {
                byChannel[message.Channel!] = indexes = [];
            }

            indexes.Add(i);
        }

        var committed = new List<ChannelEvent>();
        // While tracing: which message each committed event came from, so its delivery continues that message's trace.
        var sources = activity is null ? null : new Dictionary<ChannelEvent, IncomingEvent>(batch.Count);
        foreach (var (channel, indexes) in byChannel)
        {
            var drafts = new List<EventDraft>(indexes.Count);
            foreach (var i in indexes)
            {
                drafts.Add(new EventDraft(batch[i].EventName, batch[i].Data, batch[i].SourceId));
            }

            AppendResult result;
            using (var append = activity is null ? null : GatewayTracing.Source.StartActivity(GatewayTracing.Append))
            {
                append?.SetTag("gateway.channel", channel);
                append?.SetTag("gateway.events", drafts.Count);
                result = await log.AppendAsync(channel, drafts, cancellationToken);
                append?.SetTag("gateway.log.epoch", result.Epoch);
            }

            var appended = result.Appended.GetEnumerator();
            // Made only when the log found duplicates: a publish over HTTP is almost always new.
            var duplicates = result.Duplicates.Count == 0 ? null : result.Duplicates.ToDictionary(d => d.SourceId, d => d.Offset, StringComparer.Ordinal);
            foreach (var i in indexes)
            {
                if (duplicates is not null && duplicates.TryGetValue(batch[i].SourceId, out var offset))
                {
                    outcomes[i] = new IngestOutcome(IngestStatus.Duplicate, AppendedAt: new EventPosition(result.Epoch, offset));
                }
                else if (appended.MoveNext())
                {
                    outcomes[i] = new IngestOutcome(IngestStatus.Committed, appended.Current);
                    sources?.Add(appended.Current, batch[i]);
                    RecordLag(batch[i]);
                }
            }

            metrics.EventsIngested(result.Appended.Count);
            committed.AddRange(result.Appended);
            if (result.Duplicates.Count > 0)
            {
                // An earlier delivery was appended but may never have been fanned out (it failed before its
                // messages were settled): fan those events out again; subscribers drop what they already have.
                await AddPreviouslyAppendedAsync(channel, result.Duplicates, committed, cancellationToken);
            }
        }

        foreach (var (index, firstIndex) in repeats)
        {
            // A repeat inside the batch points where its first copy went (a publisher retrying with the same key wants that id).
            outcomes[index] = new IngestOutcome(IngestStatus.Duplicate, AppendedAt: outcomes[firstIndex]?.Position);
        }

        activity?.SetTag("gateway.ingest.committed", committed.Count);
        return new AppendedBatch(outcomes, activity is null ? committed : IngestTracing.WithTraces(activity, committed, sources!), activity);
    }

    private void RecordLag(IncomingEvent message)
    {
        if (message.EnqueuedTime is { } enqueued)
        {
            metrics.IngestLag(time.GetUtcNow() - enqueued);
        }
    }

    private IngestOutcome? Validate(IncomingEvent message)
    {
        if (!ChannelName.TryValidate(message.Channel, out var channelError))
        {
            return IngestOutcome.Reject(InvalidChannel, channelError);
        }

        if (!rules.TryValidateEventName(message.EventName, out var nameError))
        {
            return IngestOutcome.Reject(InvalidEventName, nameError);
        }

        if (!rules.TryValidateData(message.Data.Span, out var dataError))
        {
            return IngestOutcome.Reject(InvalidData, dataError);
        }

        return null;
    }

    private async Task AddPreviouslyAppendedAsync(string channel, IReadOnlyList<AppendedBefore> duplicates, List<ChannelEvent> committed, CancellationToken cancellationToken)
    {
        var wanted = duplicates.Select(d => d.Offset).ToHashSet();
        var from = wanted.Min() - 1;
        var to = wanted.Max();
        await foreach (var e in log.ReadAfterAsync(channel, from, cancellationToken))
        {
            if (e.Offset > to)
            {
                break;
            }

            if (wanted.Contains(e.Offset))
            {
                committed.Add(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected message {SourceId}: {Reason}: {Description}")]
    private partial void LogRejected(string sourceId, string reason, string description);
}
