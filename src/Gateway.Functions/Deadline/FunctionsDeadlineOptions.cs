namespace Gateway.Functions.Deadline;

/// <summary>
/// How the Functions app turns the host's <c>functionTimeout</c> into the stream deadline
/// (<c>Gateway:Stream:MaxDuration</c>). Bound from <c>Gateway:Functions</c>.
/// </summary>
public sealed class FunctionsDeadlineOptions
{
    public const string SectionName = "Gateway:Functions";

    /// <summary>
    /// Taken off <c>functionTimeout</c> so a stream writes its final <c>retry:</c> and completes before the
    /// host cancels the invocation (and restarts the worker).
    /// </summary>
    public TimeSpan SafetyMargin { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest stream: used when <c>functionTimeout</c> is unlimited (<c>-1</c>), and an upper bound otherwise
    /// (lower it to get shorter streams than the plan allows).
    /// </summary>
    public TimeSpan MaxStreamDuration { get; set; } = TimeSpan.FromMinutes(30);
}
