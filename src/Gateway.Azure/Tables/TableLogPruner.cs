using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;

namespace Gateway.Azure.Tables;

/// <summary>
/// Removes one channel's oldest events, and the dedupe markers that guard them, in batched delete transactions.
/// The epoch and head rows stay, so offsets continue where they were; a channel left with no event at all is
/// removed by <see cref="TableChannelRemover"/>.
/// </summary>
internal sealed class TableLogPruner(TableClient table, int pageSize)
{
    /// <summary>
    /// Deletes the events from the start of the log while they are at or below <paramref name="keepAfterOffset"/>
    /// (the count limit) or older than <paramref name="cutoff"/> (the age limit); returns how many it deleted and
    /// whether it found an event to keep (false: the log has no event left).
    /// </summary>
    public async Task<(long Removed, bool Kept)> PruneAsync(string channel, long keepAfterOffset, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var events = table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {channel} and RowKey ge {TableRowKeys.EventPrefix} and RowKey lt {TableRowKeys.EventRangeEnd}"),
            pageSize, ["RowKey", TableEventRows.TimeProperty], cancellationToken);

        // Events are in offset order and so, near enough, in time order: stop at the first one to keep.
        var doomed = new List<string>();
        long lastRemoved = 0;
        long removed = 0;
        var kept = false;
        await foreach (var row in events)
        {
            var offset = TableRowKeys.ParseEventOffset(row.RowKey);
            if (offset > keepAfterOffset && row.GetDateTimeOffset(TableEventRows.TimeProperty) >= cutoff)
            {
                kept = true;
                break;
            }

            doomed.Add(row.RowKey);
            lastRemoved = offset;
            removed++;
            if (doomed.Count == AppendChunk.MaxActions)
            {
                await DeleteAsync(channel, doomed, cancellationToken);
                doomed.Clear();
            }
        }

        await DeleteAsync(channel, doomed, cancellationToken);
        if (removed > 0)
        {
            await PruneMarkersAsync(channel, lastRemoved, cancellationToken);
        }

        return (removed, kept);
    }

    /// <summary>Deletes the dedupe markers of events at or below <paramref name="upToOffset"/>.</summary>
    public async Task PruneMarkersAsync(string channel, long upToOffset, CancellationToken cancellationToken)
    {
        var markers = table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter(FormattableStringFactory.Create(
                $"PartitionKey eq {{0}} and RowKey ge {{1}} and RowKey lt {{2}} and {TableEventRows.OffsetProperty} le {{3}}",
                channel, TableRowKeys.MarkerPrefix, TableRowKeys.MarkerRangeEnd, upToOffset)),
            pageSize, ["RowKey"], cancellationToken);
        var doomed = new List<string>();
        await foreach (var row in markers)
        {
            doomed.Add(row.RowKey);
            if (doomed.Count == AppendChunk.MaxActions)
            {
                await DeleteAsync(channel, doomed, cancellationToken);
                doomed.Clear();
            }
        }

        await DeleteAsync(channel, doomed, cancellationToken);
    }

    private async Task DeleteAsync(string channel, List<string> rowKeys, CancellationToken cancellationToken)
    {
        if (rowKeys.Count == 0)
        {
            return;
        }

        try
        {
            await table.SubmitTransactionAsync(
                rowKeys.Select(key => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(channel, key), ETag.All)),
                cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 404)
        {
            // Another instance's retention got to some of them first: delete the rest one by one (a missing row is fine).
            foreach (var key in rowKeys)
            {
                await table.DeleteEntityAsync(channel, key, ETag.All, cancellationToken);
            }
        }
    }
}
