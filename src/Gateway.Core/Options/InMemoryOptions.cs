namespace Gateway.Core.Options;

/// <summary>Bounds of the embedded in-memory log and bus. Bound from <c>Gateway:InMemory</c>.</summary>
public sealed class InMemoryOptions
{
    public const string SectionName = "Gateway:InMemory";

    /// <summary>The smallest byte budget: room for the largest events of a few channels.</summary>
    public const long MinMaxBytes = 1024 * 1024;

    /// <summary>The largest <see cref="AppendTimeout"/> allowed.</summary>
    public static readonly TimeSpan MaxAppendTimeout = TimeSpan.FromMinutes(10);

    /// <summary>At most this many channels are kept; creating one more evicts the least recently written.</summary>
    public int MaxChannels { get; set; } = 10_000;

    /// <summary>
    /// The log's byte budget (events, their cached SSE frames and the channels, as estimated); past it the least
    /// recently written channel loses its oldest events first.
    /// </summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>How many published events may wait for ingest before publishers are slowed down.</summary>
    public int BusCapacity { get; set; } = 10_000;

    /// <summary>
    /// How long a publish waits for its event to be in the log (the embedded bus answers only after the append). Past
    /// it the publisher gets 503 with <c>Retry-After</c> instead of waiting for as long as the log is down; the event
    /// is then either withdrawn (never appended) or, if ingest already holds it, appended exactly once later.
    /// </summary>
    public TimeSpan AppendTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
