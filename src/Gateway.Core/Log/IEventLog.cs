using Gateway.Core.Events;

namespace Gateway.Core.Log;

/// <summary>
/// The only seam between the gateway and its storage: one append-only log per channel whose offsets are
/// contiguous (1, 2, 3, …) and whose epoch changes when the log is re-created.
/// </summary>
public interface IEventLog
{
    /// <summary>The channel's epoch and last offset; <see cref="LogHead.Empty"/> when the channel has no log yet.</summary>
    Task<LogHead> GetHeadAsync(string channel, CancellationToken cancellationToken);

    /// <summary>
    /// Appends the drafts in order, giving them the next offsets. A draft whose <see cref="EventDraft.SourceId"/>
    /// was appended before is not appended again; it is reported in <see cref="AppendResult.Duplicates"/>.
    /// Either every non-duplicate draft is committed or, on an exception, none that was not reported committed.
    /// </summary>
    Task<AppendResult> AppendAsync(string channel, IReadOnlyList<EventDraft> drafts, CancellationToken cancellationToken);

    /// <summary>
    /// The retained events with an offset greater than <paramref name="afterOffset"/>, in order, fetched page by page
    /// (never the whole history at once). Empty when the channel has no log.
    /// </summary>
    IAsyncEnumerable<ChannelEvent> ReadAfterAsync(string channel, long afterOffset, CancellationToken cancellationToken);

    /// <summary>
    /// The offset of the oldest event still retained; null when none is (no log, an empty log, or all pruned). The
    /// default reads the first event after offset 0; logs override it with a cheaper look-up.
    /// </summary>
    async Task<long?> GetOldestOffsetAsync(string channel, CancellationToken cancellationToken)
    {
        await foreach (var e in ReadAfterAsync(channel, 0, cancellationToken))
        {
            return e.Offset;
        }

        return null;
    }

    /// <summary>Removes events past the retention policy (age and count per channel); returns how many were removed.</summary>
    Task<long> ApplyRetentionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// One retention run, with what it did. A log over many channels may stop at its run budget and continue at the
    /// next run (<see cref="RetentionRunResult.PassCompleted"/> false); channels left with no event are removed.
    /// </summary>
    async Task<RetentionRunResult> RunRetentionAsync(CancellationToken cancellationToken) =>
        new(await ApplyRetentionAsync(cancellationToken), 0, 0, PassCompleted: true);
}
