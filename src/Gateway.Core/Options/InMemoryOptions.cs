namespace Gateway.Core.Options;

/// <summary>Bounds of the embedded in-memory log and bus. Bound from <c>Gateway:InMemory</c>.</summary>
public sealed class InMemoryOptions
{
    public const string SectionName = "Gateway:InMemory";

    /// <summary>The smallest byte budget: room for the largest events of a few channels.</summary>
    public const long MinMaxBytes = 1024 * 1024;

    /// <summary>At most this many channels are kept; creating one more evicts the least recently written.</summary>
    public int MaxChannels { get; set; } = 10_000;

    /// <summary>
    /// The log's byte budget (events, their cached SSE frames and the channels, as estimated); past it the least
    /// recently written channel loses its oldest events first.
    /// </summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>How many published events may wait for ingest before publishers are slowed down.</summary>
    public int BusCapacity { get; set; } = 10_000;
}
