namespace Gateway.Core.Options;

/// <summary>How SSE streams behave. Bound from <c>Gateway:Stream</c>.</summary>
public sealed class StreamOptions
{
    public const string SectionName = "Gateway:Stream";

    /// <summary>
    /// The reconnection delay sent as <c>retry:</c> at the start and the end of every stream (the start and shutdown or
    /// failure ends add up to <see cref="ReconnectSpread"/>).
    /// </summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often an idle stream gets a comment line, so proxies and load balancers keep it open.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long one stream may last before the gateway ends it cleanly and the client reconnects. The
    /// Functions app derives it from <c>functionTimeout</c>; the server host takes it from configuration.
    /// </summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A stream opens, and ends by shutdown or a failure, with a <c>retry:</c> drawn at random from
    /// [<see cref="RetryInterval"/>, <see cref="RetryInterval"/> + this], so that the clients of a restarted, failed or
    /// crashed instance do not all come back in the same instant (after a crash a client waits the value its stream
    /// opened with). Deadline ends are already spread by <see cref="DeadlineJitter"/>.
    /// </summary>
    public TimeSpan ReconnectSpread { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Up to this much is taken off <see cref="MaxDuration"/> at random per stream, so clients do not all reconnect at once.</summary>
    public TimeSpan DeadlineJitter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many events may wait for one subscriber; past this it is a slow consumer and its stream ends.</summary>
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>
    /// A channel with streams on this instance that had no live event for this long has its log's head read (once per
    /// channel, on the shared tick): events whose fan-out copy never reached this instance are then read from the log,
    /// within about this bound instead of at the channel's next event. Zero turns the check off.
    /// </summary>
    public TimeSpan HeadCheckInterval { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>How many channels one stream (<c>GET /api/stream?channel=…</c>) may follow; 1–255 (Nchan's limit).</summary>
    public int MaxChannels { get; set; } = 16;

    /// <summary>How long a stream that was told to end (deadline, shutdown, slow consumer) may take to finish writing before its connection is aborted.</summary>
    public TimeSpan EndGracePeriod { get; set; } = TimeSpan.FromSeconds(5);
}
