namespace Gateway.Core.Streaming;

/// <summary>
/// Why a stream could not continue exactly after the client's id. Sent as the data of an
/// <c>event: reset</c> frame; the stream then continues from the oldest event still retained.
/// </summary>
public static class ResetReason
{
    /// <summary>The id belongs to a log that no longer exists (deleted and re-created, or an embedded server restarted).</summary>
    public const string StaleEpoch = "stale-epoch";

    /// <summary>The id is past the channel's last event.</summary>
    public const string AheadOfHead = "ahead-of-head";

    /// <summary>Events after the id were removed by retention.</summary>
    public const string Pruned = "pruned";

    /// <summary>
    /// A multi-channel stream got an id of a stream over other channels (or the same in another order, or a single
    /// channel's id): its positions cannot be matched to these channels. Every channel continues from its oldest retained event.
    /// </summary>
    public const string ChannelsMismatch = "channels-mismatch";
}
