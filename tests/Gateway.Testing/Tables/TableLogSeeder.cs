using Azure.Data.Tables;
using Gateway.Azure.Tables;
using Gateway.Core.Events;
using Gateway.Core.Log;

namespace Gateway.Testing.Tables;

/// <summary>
/// Writes many channels' logs into a table fast, for measurements at scale (100,000 channels). The rows are the
/// append path's own: each append is the transaction <see cref="AppendChunk.Plan"/> builds (epoch, events, markers,
/// head) and each channel gets the index row <see cref="TableEventRows.ChannelIndex"/> builds. Only the order of the
/// requests differs from <see cref="TableEventLog.AppendAsync"/>: the index rows, all in one partition, go first,
/// 100 per transaction (the service's limit), instead of one upsert before and one after each channel's first
/// transaction, and the logs are written <c>parallelism</c> at a time. Meant for a fresh table that nothing else writes.
/// </summary>
public sealed class TableLogSeeder(TableClient table, int parallelism = 32)
{
    /// <summary>
    /// Seeds <paramref name="channels"/>: the index rows first (as an append writes a channel's index row before its
    /// log), one transaction at a time (the emulator runs one transaction at a time anyway), then the logs;
    /// <paramref name="progress"/> is told every 10,000 channels of each.
    /// </summary>
    public async Task SeedAsync(IReadOnlyList<SeedChannel> channels, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var indexed = 0;
        foreach (var names in channels.Select(c => c.Name).Chunk(AppendChunk.MaxActions))
        {
            await SubmitAsync(names.Select(name => new TableTransactionAction(TableTransactionActionType.UpsertReplace, TableEventRows.ChannelIndex(name))), cancellationToken);
            indexed += names.Length;
            if (indexed % 10_000 == 0)
            {
                progress?.Invoke($"indexed {indexed:N0} channels");
            }
        }

        var done = 0;
        await Parallel.ForEachAsync(channels, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (channel, cancel) =>
        {
            await SeedLogAsync(channel, cancel);
            var count = Interlocked.Increment(ref done);
            if (count % 10_000 == 0)
            {
                progress?.Invoke($"seeded the logs of {count:N0} channels");
            }
        });
    }

    private async Task SeedLogAsync(SeedChannel channel, CancellationToken cancellationToken)
    {
        var tail = LogHead.Empty;
        foreach (var append in channel.Appends)
        {
            var newEpoch = tail.Exists ? null : EventPosition.NewEpoch();
            var pending = Enumerable.Range(0, append.Drafts.Count).ToArray();
            var chunk = AppendChunk.Plan(channel.Name, tail, newEpoch, append.Drafts, pending, append.Time);
            if (chunk.Events.Count != append.Drafts.Count)
            {
                throw new ArgumentException($"An append of {channel.Name} does not fit one transaction; seed it as several.", nameof(channel));
            }

            await SubmitAsync(chunk.Actions, cancellationToken);
            tail = new LogHead(newEpoch ?? tail.Epoch, chunk.Events.Count > 0 ? chunk.Events[^1].Offset : tail.Offset);
        }
    }

    private async Task SubmitAsync(IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            // The client re-sent a transaction whose reply was lost (the emulator under load) and the first one
            // committed: on a fresh table only this seeder writes, so the rows are there.
        }
    }
}
