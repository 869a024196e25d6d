using System.Diagnostics;
using Gateway.Core.Bus;
using Gateway.Core.Events;

namespace Gateway.Core.Telemetry;

/// <summary>How an ingested batch joins its events' traces (only while a listener is attached; otherwise nothing is made).</summary>
internal static class IngestTracing
{
    /// <summary>
    /// Starts the <see cref="GatewayTracing.Ingest"/> span. When every traced message of the batch comes from one trace
    /// (a batch of one, or one producer's batch), the span continues it as the child of the first message's send;
    /// otherwise it starts its own trace and links to each message's send, as the messaging conventions do for batches.
    /// Either way each event's delivery continues its own trace (<see cref="TraceOf"/>).
    /// </summary>
    public static Activity? StartIngest(IReadOnlyList<IncomingEvent> batch)
    {
        if (!GatewayTracing.Source.HasListeners())
        {
            return null;
        }

        ActivityContext parent = default;
        var oneTrace = true;
        var traced = 0;
        foreach (var message in batch)
        {
            if (message.Trace == default)
            {
                continue;
            }

            traced++;
            if (parent == default)
            {
                parent = message.Trace;
            }
            else if (message.Trace.TraceId != parent.TraceId)
            {
                oneTrace = false;
            }
        }

        List<ActivityLink>? links = null;
        if (traced > 1 || !oneTrace)
        {
            links = new List<ActivityLink>(traced);
            foreach (var message in batch)
            {
                if (message.Trace != default && !(oneTrace && message.Trace == parent))
                {
                    links.Add(new ActivityLink(message.Trace));
                }
            }
        }

        var activity = GatewayTracing.Source.StartActivity(GatewayTracing.Ingest, ActivityKind.Consumer, oneTrace ? parent : default, links: links);
        activity?.SetTag("messaging.batch.message_count", batch.Count);
        return activity;
    }

    /// <summary>
    /// The context an event's delivery continues: the ingest span when it is in the event's trace, else the producer's
    /// send of its message (a batch of several traces), so every event stays in the trace it was sent in.
    /// </summary>
    public static ActivityContext TraceOf(Activity ingest, IncomingEvent source) =>
        source.Trace == default || source.Trace.TraceId == ingest.TraceId ? ingest.Context : source.Trace;

    /// <summary>The committed events, each carrying the context its delivery continues.</summary>
    public static List<ChannelEvent> WithTraces(Activity ingest, IReadOnlyList<ChannelEvent> committed, IReadOnlyDictionary<ChannelEvent, IncomingEvent> sources)
    {
        var traced = new List<ChannelEvent>(committed.Count);
        foreach (var e in committed)
        {
            traced.Add(e.WithTrace(sources.TryGetValue(e, out var source) ? TraceOf(ingest, source) : ingest.Context));
        }

        return traced;
    }
}
