using System.Diagnostics;

namespace Gateway.Core.Events;

/// <summary>
/// An event committed to a channel's log: its offset is final, contiguous per channel, and with the
/// log's epoch forms the SSE id. Immutable, so one instance (and its encoded SSE frame) is shared by
/// every subscriber it is delivered to.
/// </summary>
public sealed class ChannelEvent
{
    /// <summary>
    /// Where the streaming layer keeps this event's encoded form, so it is encoded once for every stream. The
    /// event does not know the wire format; only <c>SseFrames</c> reads and writes this.
    /// </summary>
    internal byte[]? EncodedFrame;

    /// <summary>The same frame without its <c>id</c> line, for multi-channel streams whose ids differ per stream.</summary>
    internal byte[]? EncodedFrameWithoutId;

    public ChannelEvent(string channel, string epoch, long offset, string? eventName, ReadOnlyMemory<byte> data, DateTimeOffset time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(offset, 1);
        Channel = channel;
        Epoch = epoch;
        Offset = offset;
        EventName = eventName;
        Data = data;
        Time = time;
    }

    public string Channel { get; }

    public string Epoch { get; }

    public long Offset { get; }

    /// <summary>The SSE <c>event</c> field; null for the default <c>message</c>.</summary>
    public string? EventName { get; }

    /// <summary>The event's data as UTF-8 bytes (validated at publish and ingest).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>When the log committed the event.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>
    /// The span this event's live delivery continues (ingest, or this instance's fan-out receive), so streams can link
    /// to its trace; default when nobody traces. Set on a copy (<see cref="WithTrace"/>), never on an event a log holds.
    /// </summary>
    public ActivityContext Trace { get; private init; }

    public EventPosition Position => new(Epoch, Offset);

    /// <summary>A copy carrying <paramref name="trace"/>; only made while tracing, so untraced events allocate nothing more.</summary>
    public ChannelEvent WithTrace(ActivityContext trace) => new(Channel, Epoch, Offset, EventName, Data, Time) { Trace = trace };

    public string Id => Position.ToString();
}
