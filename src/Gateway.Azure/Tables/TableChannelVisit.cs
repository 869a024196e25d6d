using Azure.Data.Tables;

namespace Gateway.Azure.Tables;

/// <summary>
/// Retention's visit of one channel with one query over its partition, which sorts as the layout says (see
/// <see cref="TableRowKeys"/>): <c>!epoch</c>, <c>!head</c>, the events in offset order, then the markers. The
/// events are read up to the first one to keep; when none is kept, the read goes on through the markers, so a
/// channel whose events all expired is found, emptied and removed after a single query (before, a head read, an
/// event query, two marker queries and an epoch read), and a channel with nothing to remove costs that one query.
/// </summary>
internal sealed class TableChannelVisit(TableClient table, TableLogPruner pruner, TableChannelRemover remover, int pageSize)
{
    private static readonly string[] Columns = ["RowKey", TableEventRows.EpochProperty, TableEventRows.OffsetProperty, TableEventRows.TimeProperty];

    /// <summary>
    /// Prunes the channel of the index row <paramref name="index"/> (events at or below its head offset less
    /// <paramref name="maxEvents"/>, or older than <paramref name="cutoff"/>) and removes it when no event is left;
    /// returns the events removed and whether the channel was removed.
    /// </summary>
    public async Task<(long EventsRemoved, bool ChannelRemoved)> RunAsync(
        TableEntity index, long maxEvents, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var channel = index.RowKey;
        TableEntity? epoch = null;
        TableEntity? head = null;
        long headOffset = 0;
        var doomed = new TableRowDeletions(table, channel);
        long removed = 0;
        long lastRemoved = 0;
        var kept = false;
        var rows = table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {channel}"), pageSize, Columns, cancellationToken);
        await foreach (var row in rows)
        {
            var key = row.RowKey;
            if (key == TableRowKeys.EpochRow)
            {
                epoch = row;
            }
            else if (key == TableRowKeys.HeadRow)
            {
                head = row;
                headOffset = row.GetInt64(TableEventRows.OffsetProperty) ?? 0;
            }
            else if (head is null)
            {
                // No head before the events: not a log (a creator that stopped early, or a removal cut short).
                break;
            }
            else if (key.StartsWith(TableRowKeys.EventPrefix, StringComparison.Ordinal))
            {
                // Events are in offset order and so, near enough, in time order: stop at the first one to keep.
                var offset = TableRowKeys.ParseEventOffset(key);
                if (offset > headOffset - maxEvents && row.GetDateTimeOffset(TableEventRows.TimeProperty) >= cutoff)
                {
                    kept = true;
                    break;
                }

                await doomed.AddAsync(key, cancellationToken);
                removed++;
                lastRemoved = offset;
            }
            else if (key.StartsWith(TableRowKeys.MarkerPrefix, StringComparison.Ordinal)
                && row.GetInt64(TableEventRows.OffsetProperty) <= headOffset)
            {
                // Reached only when no event is kept. A marker above the head read is a racing append's: it stays.
                // Deleted after the events (same order of batches), as pruning does.
                await doomed.AddAsync(key, cancellationToken);
            }
        }

        await doomed.FlushAsync(cancellationToken);
        if (head is null)
        {
            return (0, await remover.TryRemoveHeadlessAsync(channel, index.ETag, cancellationToken));
        }

        if (kept)
        {
            if (removed > 0)
            {
                await pruner.PruneMarkersAsync(channel, lastRemoved, cancellationToken);
            }

            return (removed, false);
        }

        // The epoch row read with the head is this log's when it names the same epoch (a new log has a new epoch).
        var sameLog = epoch is not null && epoch.GetString(TableEventRows.EpochProperty) == head.GetString(TableEventRows.EpochProperty);
        return (removed, await remover.TryRemoveAsync(channel, index.ETag, head.ETag, sameLog ? epoch!.ETag : null, cancellationToken));
    }
}
