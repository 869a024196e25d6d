namespace Gateway.Core.Options;

/// <summary>Bounds of the embedded in-memory log and bus. Bound from <c>Gateway:InMemory</c>.</summary>
public sealed class InMemoryOptions
{
    public const string SectionName = "Gateway:InMemory";

    /// <summary>At most this many channels are kept; creating one more evicts the least recently written.</summary>
    public int MaxChannels { get; set; } = 10_000;

    /// <summary>How many published events may wait for ingest before publishers are slowed down.</summary>
    public int BusCapacity { get; set; } = 10_000;
}
