namespace Gateway.Core.Options;

/// <summary>How long events stay replayable. Bound from <c>Gateway:Retention</c>.</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Gateway:Retention";

    /// <summary>Events older than this are removed from the log.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>At most this many of the newest events are kept per channel.</summary>
    public int MaxEventsPerChannel { get; set; } = 10_000;

    /// <summary>How often the server host applies retention (the Functions app uses its timer instead).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// One retention run stops after this long and the next run continues where it stopped, so a run over many
    /// channels ends within its schedule (the Functions timer's default is every 5 minutes).
    /// </summary>
    public TimeSpan MaxRunDuration { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>One retention run visits at most this many channels (0: no count limit, only <see cref="MaxRunDuration"/>).</summary>
    public int MaxChannelsPerRun { get; set; }
}
