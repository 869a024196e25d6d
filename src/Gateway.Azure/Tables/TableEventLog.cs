using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Gateway.Core.Events;
using Gateway.Core.Log;
using Gateway.Core.Options;
using Gateway.Core.Resilience;
using Gateway.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Azure.Tables;

/// <summary>
/// The durable log: one partition per channel in one table (layout in <see cref="TableRowKeys"/>). Appends are
/// insert-only entity-group transactions, so concurrent writers on any number of instances agree on contiguous
/// offsets without a leader: the loser of an offset race gets 409 on an event row, re-reads the head and retries;
/// a redelivered source message gets 409 on its marker and is reported as a duplicate instead of appended twice.
/// </summary>
public sealed partial class TableEventLog : IEventLog
{
    private const int MaxConflictRetries = 60;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(500);

    private readonly TableClient _table;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<RetentionOptions> _retention;
    private readonly TableLogOptions _options;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<TableEventLog> _logger;
    private readonly TableRetention _retentionRun;
    private volatile bool _tableReady;

    public TableEventLog(
        TableClient table,
        TimeProvider time,
        IOptionsMonitor<RetentionOptions> retention,
        IOptions<TableLogOptions> options,
        GatewayMetrics metrics,
        ILogger<TableEventLog> logger)
    {
        _table = table;
        _time = time;
        _retention = retention;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _retentionRun = new TableRetention(table, time, _options.ReadPageSize);
    }

    public async Task<LogHead> GetHeadAsync(string channel, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureTableAsync(cancellationToken);
            return await ReadHeadAsync(_table, channel, cancellationToken);
        }
        catch (Exception ex) when (TableFailures.IsUnavailable(ex, cancellationToken))
        {
            throw TableFailures.Unavailable("read the head of a channel", ex);
        }
    }

    public async Task<AppendResult> AppendAsync(string channel, IReadOnlyList<EventDraft> drafts, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureTableAsync(cancellationToken);
            return await AppendCoreAsync(channel, drafts, cancellationToken);
        }
        catch (Exception ex) when (TableFailures.IsUnavailable(ex, cancellationToken))
        {
            LogUnavailable(channel, ex);
            throw TableFailures.Unavailable("append", ex);
        }
    }

    public async IAsyncEnumerable<ChannelEvent> ReadAfterAsync(string channel, long afterOffset, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await EnsureTableAsync(cancellationToken);
        }
        catch (Exception ex) when (TableFailures.IsUnavailable(ex, cancellationToken))
        {
            throw TableFailures.Unavailable("read events", ex);
        }

        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {channel} and RowKey gt {TableRowKeys.Event(Math.Max(0, afterOffset))} and RowKey lt {TableRowKeys.EventRangeEnd}");
        var query = _table.QueryAsync<TableEntity>(filter, _options.ReadPageSize, TableEventRows.EventColumns, cancellationToken);
        await using var pages = query.AsPages().GetAsyncEnumerator(cancellationToken);

        // The next page is fetched while the caller consumes this one (a stream writes it to its client), so replay
        // costs about the slower of the two rather than their sum; at most two pages are held.
        var next = pages.MoveNextAsync().AsTask();
        try
        {
            while (true)
            {
                Page<TableEntity> page;
                try
                {
                    if (!await next)
                    {
                        yield break;
                    }

                    page = pages.Current;
                }
                catch (Exception ex) when (TableFailures.IsUnavailable(ex, cancellationToken))
                {
                    throw TableFailures.Unavailable("read events", ex);
                }

                next = pages.MoveNextAsync().AsTask();
                foreach (var row in page.Values)
                {
                    yield return TableEventRows.ToEvent(row);
                }
            }
        }
        finally
        {
            // A caller that stops early leaves a fetch in flight: let it finish before the enumerator is disposed.
            await next.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>The first event row of the channel's partition (rows sort by offset): one query for one row.</summary>
    public async Task<long?> GetOldestOffsetAsync(string channel, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureTableAsync(cancellationToken);
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {channel} and RowKey gt {TableRowKeys.Event(0)} and RowKey lt {TableRowKeys.EventRangeEnd}");

            // A page may come back empty with a continuation token (the service's time limit): go on to the next.
            await foreach (var page in _table.QueryAsync<TableEntity>(filter, 1, ["RowKey"], cancellationToken).AsPages())
            {
                if (page.Values.Count > 0)
                {
                    return TableRowKeys.ParseEventOffset(page.Values[0].RowKey);
                }
            }

            return null;
        }
        catch (Exception ex) when (TableFailures.IsUnavailable(ex, cancellationToken))
        {
            throw TableFailures.Unavailable("read the oldest event of a channel", ex);
        }
    }

    public async Task<long> ApplyRetentionAsync(CancellationToken cancellationToken) => (await RunRetentionAsync(cancellationToken)).EventsRemoved;

    /// <summary>
    /// One budget-limited retention run (see <see cref="TableRetention"/>): prunes channels from where the last run
    /// stopped and removes the channels whose events have all expired.
    /// </summary>
    public async Task<RetentionRunResult> RunRetentionAsync(CancellationToken cancellationToken)
    {
        try
        {
            await EnsureTableAsync(cancellationToken);
            return await _retentionRun.RunAsync(_retention.CurrentValue, cancellationToken);
        }
        catch (Exception ex) when (TableFailures.IsUnavailable(ex, cancellationToken))
        {
            throw TableFailures.Unavailable("apply retention", ex);
        }
    }

    /// <summary>One cheap request that proves the table is reachable (creating it if missing); for the health check.</summary>
    internal async Task PingAsync(CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken);
        var query = _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {TableRowKeys.ChannelsPartition}"), 1, ["RowKey"], cancellationToken);
        await using var pages = query.AsPages().GetAsyncEnumerator(cancellationToken);
        await pages.MoveNextAsync();
    }

    /// <summary>
    /// The epoch and last offset, from the head row alone (one point read). The head row is written in the same
    /// transaction as the events it counts, so it is exact; a writer that acts on an outdated head still collides
    /// on an event row. No head row means no log: the first transaction writes it together with the epoch row.
    /// </summary>
    internal static async Task<LogHead> ReadHeadAsync(TableClient table, string channel, CancellationToken cancellationToken)
    {
        var head = await table.GetEntityIfExistsAsync<TableEntity>(
            channel, TableRowKeys.HeadRow, [TableEventRows.EpochProperty, TableEventRows.OffsetProperty], cancellationToken);
        return head.HasValue && head.Value!.GetString(TableEventRows.EpochProperty) is { } epoch
            ? new LogHead(epoch, head.Value.GetInt64(TableEventRows.OffsetProperty) ?? 0)
            : LogHead.Empty;
    }

    private async Task<AppendResult> AppendCoreAsync(string channel, IReadOnlyList<EventDraft> drafts, CancellationToken cancellationToken)
    {
        var outcome = new AppendOutcome(drafts);
        var pending = outcome.Pending;
        var tail = await ReadHeadAsync(_table, channel, cancellationToken);
        var conflicts = new RetryBackoff(_time, FirstBackoff, MaxBackoff);

        // An empty call still creates the log, as the in-memory log does.
        while (pending.Count > 0 || !tail.Exists)
        {
            string? newEpoch = null;
            if (!tail.Exists)
            {
                newEpoch = EventPosition.NewEpoch();
                await _table.UpsertEntityAsync(TableEventRows.ChannelIndex(channel), TableUpdateMode.Replace, cancellationToken);
            }

            var chunk = AppendChunk.Plan(channel, tail, newEpoch, drafts, pending, _time.GetUtcNow());
            try
            {
                await _table.SubmitTransactionAsync(chunk.Actions, cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404 && chunk.RoleOf(ex.FailedTransactionActionIndex).Kind == AppendChunk.RowRole.Head)
            {
                // Retention removed this channel (every event had expired) after the head was read: nothing was
                // written; re-read the head, which is gone, and append to the channel's next log (a new epoch).
                LogHeadRemoved(channel);
                tail = await ReadHeadAsync(_table, channel, cancellationToken);
                continue;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                if (await CommittedEarlierAsync(channel, chunk, cancellationToken))
                {
                    // The SDK re-sent a transaction whose first reply was lost; it is in the log.
                    outcome.Committed(chunk);
                    tail = new LogHead(chunk.Events[0].Epoch, chunk.Events[^1].Offset);
                    continue;
                }

                var role = chunk.RoleOf(ex.FailedTransactionActionIndex);
                if (role.Kind == AppendChunk.RowRole.Marker
                    && await FindMarkerAsync(channel, drafts[role.DraftIndex].SourceId!, cancellationToken) is { } before)
                {
                    // That source message is in the log already: never append it twice.
                    outcome.Duplicate(role.DraftIndex, before);
                    LogDuplicate(channel, drafts[role.DraftIndex].SourceId!, before);
                    continue;
                }

                // Another writer took these offsets (or created the log): re-read the head and re-number.
                if (conflicts.Failures >= MaxConflictRetries)
                {
                    throw new EventLogUnavailableException(
                        $"Appending to channel '{channel}' lost the offset race {MaxConflictRetries} times in a row; nothing further was committed. Retry later.", ex);
                }

                _metrics.AppendConflict();
                LogConflict(channel, chunk.FirstOffset, role.Kind, conflicts.Failures + 1);
                if (!await conflicts.WaitAsync(cancellationToken))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                tail = await ReadHeadAsync(_table, channel, cancellationToken);
                continue;
            }

            outcome.Committed(chunk);
            tail = new LogHead(newEpoch ?? tail.Epoch, chunk.Events.Count > 0 ? chunk.Events[^1].Offset : tail.Offset);
            conflicts.Reset();
            if (newEpoch is not null)
            {
                await ReindexAsync(channel, cancellationToken);
            }
        }

        return outcome.ToResult(tail.Epoch!);
    }

    /// <summary>
    /// Writes the index row again after the transaction that created the log: retention may have removed the index
    /// row of the channel's previous log between the upsert before that transaction and its commit (see
    /// <see cref="TableChannelRemover"/>). Best effort: the events are committed whatever happens here, and the row
    /// written before the transaction is there unless that rare race happened.
    /// </summary>
    private async Task ReindexAsync(string channel, CancellationToken cancellationToken)
    {
        try
        {
            await _table.UpsertEntityAsync(TableEventRows.ChannelIndex(channel), TableUpdateMode.Replace, cancellationToken);
        }
        catch (Exception ex) when (TableFailures.IsUnavailable(ex, cancellationToken))
        {
            LogReindexFailed(channel, ex);
        }
    }

    /// <summary>True when the chunk's own first event row is in the log (same attempt token).</summary>
    private async Task<bool> CommittedEarlierAsync(string channel, AppendChunk chunk, CancellationToken cancellationToken)
    {
        if (chunk.Attempt is null)
        {
            return false;
        }

        var row = await _table.GetEntityIfExistsAsync<TableEntity>(
            channel, TableRowKeys.Event(chunk.FirstOffset), [TableEventRows.AttemptProperty], cancellationToken);
        return row.HasValue && row.Value!.GetString(TableEventRows.AttemptProperty) == chunk.Attempt;
    }

    private async Task<long?> FindMarkerAsync(string channel, string sourceId, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(
            channel, TableRowKeys.Marker(sourceId), [TableEventRows.OffsetProperty], cancellationToken);
        return row.HasValue ? row.Value!.GetInt64(TableEventRows.OffsetProperty) : null;
    }

    private async ValueTask EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (_tableReady)
        {
            return;
        }

        try
        {
            await _table.CreateIfNotExistsAsync(cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 403)
        {
            // A role scoped to the table alone (least privilege; infra/ provisions the table) may not create tables.
            // Carry on: if the table really is missing, the next read or write says so.
            LogCreateForbidden(_table.Name);
        }

        _tableReady = true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Not allowed to create table {Table} (a role scoped to the table); using it as provisioned")]
    private partial void LogCreateForbidden(string table);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Append to {Channel} at offset {Offset} collided on a {Row} row (conflict {Count}); re-reading the head")]
    private partial void LogConflict(string channel, long offset, AppendChunk.RowRole row, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the index row of {Channel} again after creating its log")]
    private partial void LogReindexFailed(string channel, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The log of {Channel} was removed by retention while appending; appending to its next log")]
    private partial void LogHeadRemoved(string channel);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Source message {SourceId} of {Channel} was appended before at offset {Offset}; not appended again")]
    private partial void LogDuplicate(string channel, string sourceId, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Table-storage log is unavailable for {Channel}; the append is left to the caller's retry")]
    private partial void LogUnavailable(string channel, Exception exception);
}
