namespace Gateway.Functions.Deadline;

/// <summary>The host's <c>functionTimeout</c> as this app sees it, and where it came from (for messages).</summary>
public sealed record FunctionTimeout(TimeSpan? Limit, string Source)
{
    /// <summary>
    /// Used when neither host.json nor the override sets <c>functionTimeout</c>: the Consumption plan's default,
    /// the lowest default of all plans, so the derived deadline is safe on every plan.
    /// </summary>
    public static readonly TimeSpan DefaultWhenNotSet = TimeSpan.FromMinutes(5);

    /// <summary><c>functionTimeout: -1</c>: the host never cancels the invocation.</summary>
    public bool IsUnlimited => Limit is null;
}
