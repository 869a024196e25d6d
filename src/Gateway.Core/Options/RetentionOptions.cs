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
}
