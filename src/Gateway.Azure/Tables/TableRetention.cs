using Azure.Data.Tables;
using Gateway.Core.Log;
using Gateway.Core.Options;

namespace Gateway.Azure.Tables;

/// <summary>
/// One retention run over the channel index (<c>!channels</c>), from where the previous run stopped: per channel,
/// one head read, a prune, and when no event is left, the channel's removal. A run stops at its budget
/// (<see cref="RetentionOptions.MaxRunDuration"/>, <see cref="RetentionOptions.MaxChannelsPerRun"/>) and saves a
/// cursor, so a run over any number of channels ends within its schedule and the next one continues; a cursor is
/// also saved after every page, so a run that is killed still moves the next one on.
/// </summary>
internal sealed class TableRetention(TableClient table, TimeProvider time, int pageSize)
{
    private readonly TableLogPruner _pruner = new(table, pageSize);
    private readonly TableRetentionCursor _cursor = new(table);

    public async Task<RetentionRunResult> RunAsync(RetentionOptions policy, CancellationToken cancellationToken)
    {
        var remover = new TableChannelRemover(table, _pruner);
        var started = time.GetTimestamp();
        var cutoff = time.GetUtcNow() - policy.MaxAge;
        var after = await _cursor.ReadAsync(cancellationToken);
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {TableRowKeys.ChannelsPartition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {TableRowKeys.ChannelsPartition} and RowKey gt {after}");
        long removed = 0;
        var visited = 0;
        var channelsRemoved = 0;
        await foreach (var page in table.QueryAsync<TableEntity>(filter, pageSize, ["RowKey"], cancellationToken).AsPages())
        {
            foreach (var index in page.Values)
            {
                if ((policy.MaxChannelsPerRun > 0 && visited >= policy.MaxChannelsPerRun) || time.GetElapsedTime(started) >= policy.MaxRunDuration)
                {
                    await _cursor.SaveAsync(after, cancellationToken);
                    return new RetentionRunResult(removed, visited, channelsRemoved, PassCompleted: false);
                }

                var channel = index.RowKey;
                var head = await table.GetEntityIfExistsAsync<TableEntity>(
                    channel, TableRowKeys.HeadRow, [TableEventRows.OffsetProperty], cancellationToken);
                if (!head.HasValue)
                {
                    channelsRemoved += await remover.TryRemoveHeadlessAsync(channel, index.ETag, cancellationToken) ? 1 : 0;
                }
                else
                {
                    var offset = head.Value!.GetInt64(TableEventRows.OffsetProperty) ?? 0;
                    var (events, kept) = await _pruner.PruneAsync(channel, offset - policy.MaxEventsPerChannel, cutoff, cancellationToken);
                    removed += events;

                    // No event left: every one had expired (the count limit always keeps the newest).
                    if (!kept && await remover.TryRemoveAsync(channel, index.ETag, head.Value.ETag, offset, cancellationToken))
                    {
                        channelsRemoved++;
                    }
                }

                after = channel;
                visited++;
            }

            await _cursor.SaveAsync(after, cancellationToken);
        }

        await _cursor.SaveAsync(null, cancellationToken);
        return new RetentionRunResult(removed, visited, channelsRemoved, PassCompleted: true);
    }
}
