namespace Gateway.Core.Streaming;

/// <summary>Where a multi-channel stream starts, as the client asked: at the heads, from the oldest retained events, or after an id.</summary>
public sealed record MultiChannelStart
{
    private MultiChannelStart(MultiChannelStartKind kind, CompositePosition? position, string? requested)
    {
        Kind = kind;
        Position = position;
        Requested = requested;
    }

    public static MultiChannelStart AtHead { get; } = new(MultiChannelStartKind.AtHead, null, null);

    public static MultiChannelStart Earliest { get; } = new(MultiChannelStartKind.Earliest, null, null);

    public MultiChannelStartKind Kind { get; }

    /// <summary>The positions to resume after (<see cref="MultiChannelStartKind.After"/>).</summary>
    public CompositePosition? Position { get; }

    /// <summary>The id the client sent (<see cref="MultiChannelStartKind.After"/> and <see cref="MultiChannelStartKind.Mismatch"/>).</summary>
    public string? Requested { get; }

    public static MultiChannelStart After(CompositePosition position, string requested) => new(MultiChannelStartKind.After, position, requested);

    /// <summary>A well-formed id that does not fit the stream's channels.</summary>
    public static MultiChannelStart Mismatch(string requested) => new(MultiChannelStartKind.Mismatch, null, requested);
}
