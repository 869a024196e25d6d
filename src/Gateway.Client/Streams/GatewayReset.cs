namespace Gateway.Client.Streams;

/// <summary>
/// The gateway's <c>reset</c> event: the stream could not continue exactly after the id the client sent, and continues
/// from <see cref="ResumeAfter"/>. Clear state that was built from the events in between.
/// </summary>
/// <param name="Reason"><c>stale-epoch</c>, <c>ahead-of-head</c>, <c>pruned</c> or (several channels) <c>channels-mismatch</c>.</param>
/// <param name="Channel">The channel concerned; null when it concerns every channel (<c>channels-mismatch</c>).</param>
/// <param name="LastEventId">The client's position that could not be continued (for one channel of several: that channel's part).</param>
/// <param name="ResumeAfter">The id the stream continues after.</param>
public sealed record GatewayReset(string Reason, string? Channel, string? LastEventId, string? ResumeAfter)
{
    /// <summary>The SSE event name of a reset.</summary>
    public const string ResetEventName = Rules.EventContentRules.ResetEventName;

    /// <summary>The id belongs to a log that no longer exists (deleted and re-created).</summary>
    public const string StaleEpoch = "stale-epoch";

    /// <summary>The id is past the channel's last event.</summary>
    public const string AheadOfHead = "ahead-of-head";

    /// <summary>Events after the id were removed by retention.</summary>
    public const string Pruned = "pruned";

    /// <summary>The id belongs to another list of channels.</summary>
    public const string ChannelsMismatch = "channels-mismatch";
}
