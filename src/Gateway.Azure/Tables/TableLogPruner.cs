using System.Runtime.CompilerServices;
using Azure.Data.Tables;

namespace Gateway.Azure.Tables;

/// <summary>
/// Removes the dedupe markers of a channel's pruned events, in batched delete transactions. The events themselves
/// are found and deleted by <see cref="TableChannelVisit"/>; the epoch and head rows stay, so offsets continue where
/// they were, and a channel left with no event at all is removed by <see cref="TableChannelRemover"/>.
/// </summary>
internal sealed class TableLogPruner(TableClient table, int pageSize)
{
    /// <summary>Deletes the dedupe markers of events at or below <paramref name="upToOffset"/>.</summary>
    public async Task PruneMarkersAsync(string channel, long upToOffset, CancellationToken cancellationToken)
    {
        var markers = table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter(FormattableStringFactory.Create(
                $"PartitionKey eq {{0}} and RowKey ge {{1}} and RowKey lt {{2}} and {TableEventRows.OffsetProperty} le {{3}}",
                channel, TableRowKeys.MarkerPrefix, TableRowKeys.MarkerRangeEnd, upToOffset)),
            pageSize, ["RowKey"], cancellationToken);
        var doomed = new TableRowDeletions(table, channel);
        await foreach (var row in markers)
        {
            await doomed.AddAsync(row.RowKey, cancellationToken);
        }

        await doomed.FlushAsync(cancellationToken);
    }
}
