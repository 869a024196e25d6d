using Azure.Data.Tables;
using Gateway.Core.Log;
using Gateway.Core.Options;

namespace Gateway.Azure.Tables;

/// <summary>
/// One retention run over the channel index (<c>!channels</c>), from where the previous run stopped: per channel,
/// one query over its partition, the deletion of what expired, and when no event is left, the channel's removal
/// (<see cref="TableChannelVisit"/>). Channels are visited
/// <see cref="Parallelism"/> at a time (each costs a few round trips, so a run is bound by latency, not by the
/// store). A run stops at its budget (<see cref="RetentionOptions.MaxRunDuration"/>,
/// <see cref="RetentionOptions.MaxChannelsPerRun"/>) and saves a cursor, so a run over any number of channels ends
/// within its schedule and the next one continues; the cursor is also saved as the run goes, so a run that is
/// killed still moves the next one on.
/// </summary>
internal sealed class TableRetention(TableClient table, TimeProvider time, int pageSize)
{
    /// <summary>Channels visited at once.</summary>
    public const int Parallelism = 8;

    private readonly TableChannelVisit _visit = new(table, new TableLogPruner(table, pageSize), new TableChannelRemover(table), pageSize);
    private readonly TableRetentionCursor _cursor = new(table);

    public async Task<RetentionRunResult> RunAsync(RetentionOptions policy, CancellationToken cancellationToken)
    {
        var run = new Run(policy, time.GetUtcNow() - policy.MaxAge, _visit);
        var started = time.GetTimestamp();
        var after = await _cursor.ReadAsync(cancellationToken);
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {TableRowKeys.ChannelsPartition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {TableRowKeys.ChannelsPartition} and RowKey gt {after}");
        var chunk = new List<TableEntity>(Parallelism);
        var visited = 0;
        var sinceSaved = 0;
        await foreach (var index in table.QueryAsync<TableEntity>(filter, pageSize, ["RowKey"], cancellationToken))
        {
            // The budget is checked before each chunk; the channel just read is left for the next run.
            if (chunk.Count == 0
                && ((policy.MaxChannelsPerRun > 0 && visited >= policy.MaxChannelsPerRun) || time.GetElapsedTime(started) >= policy.MaxRunDuration))
            {
                await _cursor.SaveAsync(after, cancellationToken);
                return run.Result(visited, passCompleted: false);
            }

            chunk.Add(index);
            var size = policy.MaxChannelsPerRun > 0 ? Math.Min(Parallelism, policy.MaxChannelsPerRun - visited) : Parallelism;
            if (chunk.Count < size)
            {
                continue;
            }

            await Task.WhenAll(chunk.Select(row => run.VisitAsync(row, cancellationToken)));
            after = chunk[^1].RowKey;
            visited += chunk.Count;
            sinceSaved += chunk.Count;
            chunk.Clear();
            if (sinceSaved >= pageSize)
            {
                await _cursor.SaveAsync(after, cancellationToken);
                sinceSaved = 0;
            }
        }

        await Task.WhenAll(chunk.Select(row => run.VisitAsync(row, cancellationToken)));
        visited += chunk.Count;
        await _cursor.SaveAsync(null, cancellationToken);
        return run.Result(visited, passCompleted: true);
    }

    /// <summary>One run's policy and tallies; channels of a chunk are visited concurrently.</summary>
    private sealed class Run(RetentionOptions policy, DateTimeOffset cutoff, TableChannelVisit visit)
    {
        private long _eventsRemoved;
        private int _channelsRemoved;

        public RetentionRunResult Result(int visited, bool passCompleted) =>
            new(Interlocked.Read(ref _eventsRemoved), visited, Volatile.Read(ref _channelsRemoved), passCompleted);

        public async Task VisitAsync(TableEntity index, CancellationToken cancellationToken)
        {
            var (events, removed) = await visit.RunAsync(index, policy.MaxEventsPerChannel, cutoff, cancellationToken);
            Interlocked.Add(ref _eventsRemoved, events);
            if (removed)
            {
                Interlocked.Increment(ref _channelsRemoved);
            }
        }
    }
}
