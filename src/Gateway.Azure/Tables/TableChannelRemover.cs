using Azure;
using Azure.Data.Tables;

namespace Gateway.Azure.Tables;

/// <summary>
/// Removes every row of a channel whose events have all expired (markers, head, epoch, index row), so channels
/// nobody writes any more cost nothing. Safe against a writer on any instance:
/// <list type="bullet">
/// <item>The head is deleted with If-Match on the ETag read before pruning (single-entity operations honour it): an
///   append committed since then changed the head, the delete fails with 412 and the channel stays.</item>
/// <item>An append that read the head before the delete updates the head with If-Match: * (see
///   <see cref="AppendChunk"/>), so its transaction fails with 404 instead of reviving the removed log; it then
///   creates the channel's next log with a new epoch (clients get a <c>stale-epoch</c> reset, acceptable for a
///   channel whose events had all expired; no event is lost or written under the old epoch).</item>
/// <item>Creating that next log inserts the epoch row, so it collides (and retries) until the old epoch row is gone:
///   the old log's rows are never mixed with the new one's.</item>
/// <item>The index row is deleted with If-Match on the ETag the enumeration saw, and a creator writes it again after
///   its commit, so a live channel never ends up unlisted (and never pruned).</item>
/// </list>
/// </summary>
internal sealed class TableChannelRemover(TableClient table)
{
    /// <summary>
    /// Removes the channel if its head is still the one read (<paramref name="headETag"/>); false when a writer got
    /// there first. The caller has deleted its events and its markers up to that head. <paramref name="epochETag"/>
    /// is the ETag of the log's epoch row if it was read with the head, null to read it here.
    /// </summary>
    public async Task<bool> TryRemoveAsync(string channel, ETag indexETag, ETag headETag, ETag? epochETag, CancellationToken cancellationToken)
    {
        if (epochETag is null)
        {
            var epoch = await table.GetEntityIfExistsAsync<TableEntity>(channel, TableRowKeys.EpochRow, [TableEventRows.EpochProperty], cancellationToken);
            epochETag = epoch.HasValue ? epoch.Value!.ETag : null;
        }

        if (!await TryDeleteAsync(channel, TableRowKeys.HeadRow, headETag, cancellationToken))
        {
            return false;
        }

        if (epochETag is { } etag)
        {
            await TryDeleteAsync(channel, TableRowKeys.EpochRow, etag, cancellationToken);
        }

        await TryDeleteAsync(TableRowKeys.ChannelsPartition, channel, indexETag, cancellationToken);
        return true;
    }

    /// <summary>
    /// An index row with no head: a creator that stopped before its first transaction, or a removal cut short.
    /// Removes what is left (an epoch row, the index row) unless a writer changes them meanwhile.
    /// </summary>
    public async Task<bool> TryRemoveHeadlessAsync(string channel, ETag indexETag, CancellationToken cancellationToken)
    {
        // The epoch row first: while an old one exists no new log can be created (its insert collides), so one read
        // before the head check belongs to no live log.
        var epoch = await table.GetEntityIfExistsAsync<TableEntity>(channel, TableRowKeys.EpochRow, [TableEventRows.EpochProperty], cancellationToken);
        if ((await table.GetEntityIfExistsAsync<TableEntity>(channel, TableRowKeys.HeadRow, [TableEventRows.OffsetProperty], cancellationToken)).HasValue)
        {
            return false;
        }

        if (epoch.HasValue)
        {
            await TryDeleteAsync(channel, TableRowKeys.EpochRow, epoch.Value!.ETag, cancellationToken);
        }

        return await TryDeleteAsync(TableRowKeys.ChannelsPartition, channel, indexETag, cancellationToken);
    }

    /// <summary>False when the row changed since <paramref name="etag"/> (412) or is gone already (404).</summary>
    private async Task<bool> TryDeleteAsync(string partitionKey, string rowKey, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(partitionKey, rowKey, etag, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }
}
