using Gateway.Core.Events;

namespace Gateway.Core.Streaming;

/// <summary>Where a stream starts, as the client asked: at the heads, from the oldest retained events, or after an id.</summary>
public sealed record StreamStart
{
    private StreamStart(StreamStartKind kind, IReadOnlyList<ChannelPosition>? positions, string? requested)
    {
        Kind = kind;
        Positions = positions;
        Requested = requested;
    }

    public static StreamStart AtHead { get; } = new(StreamStartKind.AtHead, null, null);

    public static StreamStart Earliest { get; } = new(StreamStartKind.Earliest, null, null);

    public StreamStartKind Kind { get; }

    /// <summary>The positions to resume after, one per channel in the stream's order (<see cref="StreamStartKind.After"/>).</summary>
    public IReadOnlyList<ChannelPosition>? Positions { get; }

    /// <summary>The id the client sent (<see cref="StreamStartKind.After"/> and <see cref="StreamStartKind.Mismatch"/>).</summary>
    public string? Requested { get; }

    /// <summary>After a multi-channel stream's id (its list hash already matched to the stream's channels).</summary>
    public static StreamStart After(CompositePosition position, string requested) => new(StreamStartKind.After, position.Positions, requested);

    /// <summary>After a channel's event id.</summary>
    public static StreamStart After(EventPosition position) => new(StreamStartKind.After, [ChannelPosition.From(position)], position.ToString());

    /// <summary>A well-formed multi-channel id that does not fit the stream's channels.</summary>
    public static StreamStart Mismatch(string requested) => new(StreamStartKind.Mismatch, null, requested);
}
