using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Gateway.Core.Events;
using Gateway.Core.Options;
using Microsoft.Extensions.Options;

namespace Gateway.Core.Log;

/// <summary>
/// The embedded log: thread-safe, bounded by <see cref="InMemoryOptions.MaxChannels"/>, by
/// <see cref="InMemoryOptions.MaxBytes"/> and by the retention count per channel. Its data dies with the process;
/// the epoch makes the ids of a previous run stale.
/// </summary>
/// <remarks>
/// Channels sit in a least-recently-written list under one small lock: a write moves its channel to the end, and
/// the count and byte bounds take from the front, so neither scans the channels. Over the byte budget the least
/// recently written channel loses its oldest events first, and only a channel left with no events is evicted;
/// channels written recently keep their history. An evicted channel's next log has a new epoch, so a client that
/// resumes from it gets a <c>stale-epoch</c> reset.
/// </remarks>
public sealed class InMemoryEventLog : IEventLog
{
    private const int PageSize = 256;

    private readonly ConcurrentDictionary<string, InMemoryChannelLog> _channels = new(StringComparer.Ordinal);
    private readonly LinkedList<InMemoryChannelLog> _leastRecentlyWritten = new();
    private readonly Lock _lruGate = new();
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<RetentionOptions> _retention;
    private readonly InMemoryOptions _options;
    private long _bytes;

    public InMemoryEventLog(TimeProvider time, IOptionsMonitor<RetentionOptions> retention, IOptions<InMemoryOptions> options)
    {
        _time = time;
        _retention = retention;
        _options = options.Value;
    }

    /// <summary>The bytes the log is charged for now (events and channels), held at or below <see cref="InMemoryOptions.MaxBytes"/>.</summary>
    public long AccountedBytes => Volatile.Read(ref _bytes);

    /// <summary>How many channels have a log.</summary>
    public int ChannelCount => _channels.Count;

    public Task<LogHead> GetHeadAsync(string channel, CancellationToken cancellationToken)
    {
        return Task.FromResult(_channels.TryGetValue(channel, out var log) ? log.Head : LogHead.Empty);
    }

    public Task<long?> GetOldestOffsetAsync(string channel, CancellationToken cancellationToken)
    {
        return Task.FromResult(_channels.TryGetValue(channel, out var log) ? log.OldestOffset : null);
    }

    public Task<AppendResult> AppendAsync(string channel, IReadOnlyList<EventDraft> drafts, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var maxEvents = _retention.CurrentValue.MaxEventsPerChannel;
        while (true)
        {
            var log = _channels.TryGetValue(channel, out var existing) ? existing : Create(channel);

            // Null: the channel was evicted between the look-up and the append. Its next log (a new epoch) takes
            // the events, so nothing is committed to a log that no reader can reach.
            if (log.TryAppend(drafts, _time.GetUtcNow(), maxEvents, out var bytesDelta) is { } result)
            {
                Interlocked.Add(ref _bytes, bytesDelta);
                Written(log);
                return Task.FromResult(result);
            }
        }
    }

    public async IAsyncEnumerable<ChannelEvent> ReadAfterAsync(string channel, long afterOffset, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!_channels.TryGetValue(channel, out var log))
        {
            yield break;
        }

        var next = afterOffset;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = log.ReadPage(next, PageSize);
            if (page.Length == 0)
            {
                yield break;
            }

            foreach (var e in page)
            {
                yield return e;
            }

            next = page[^1].Offset;
            await Task.Yield();
        }
    }

    public async Task<long> ApplyRetentionAsync(CancellationToken cancellationToken) => (await RunRetentionAsync(cancellationToken)).EventsRemoved;

    /// <summary>
    /// Prunes every channel and drops the channels left with no event (all expired), as the Table log does: a client
    /// resuming from a dropped channel gets a <c>stale-epoch</c> reset. One pass over memory is cheap, so no budget.
    /// </summary>
    public Task<RetentionRunResult> RunRetentionAsync(CancellationToken cancellationToken)
    {
        var policy = _retention.CurrentValue;
        var cutoff = _time.GetUtcNow() - policy.MaxAge;
        long removed = 0;
        var visited = 0;
        var dropped = 0;
        foreach (var log in _channels.Values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (events, bytes) = log.Prune(cutoff, policy.MaxEventsPerChannel);
            Interlocked.Add(ref _bytes, -bytes);
            removed += events;
            visited++;
            if (TryDropEmpty(log))
            {
                dropped++;
            }
        }

        return Task.FromResult(new RetentionRunResult(removed, visited, dropped, PassCompleted: true));
    }

    /// <summary>Drops a channel with no event left; an append racing with this goes to the channel's next log.</summary>
    private bool TryDropEmpty(InMemoryChannelLog log)
    {
        lock (_lruGate)
        {
            if (log.Node is not { List: not null } node || log.TryMarkEvictedIfEmpty() is not { } bytes)
            {
                return false;
            }

            _leastRecentlyWritten.Remove(node);
            _channels.TryRemove(new KeyValuePair<string, InMemoryChannelLog>(log.Channel, log));
            Interlocked.Add(ref _bytes, -bytes);
            return true;
        }
    }

    private InMemoryChannelLog Create(string channel)
    {
        lock (_lruGate)
        {
            if (_channels.TryGetValue(channel, out var raced))
            {
                return raced;
            }

            while (_channels.Count >= _options.MaxChannels && _leastRecentlyWritten.First is { } oldest)
            {
                Evict(oldest.Value);
            }

            var log = new InMemoryChannelLog(channel, EventPosition.NewEpoch());
            log.Node = _leastRecentlyWritten.AddLast(log);
            _channels[channel] = log;
            Interlocked.Add(ref _bytes, log.OverheadBytes);
            return log;
        }
    }

    /// <summary>Moves the channel to the most recently written end, then holds the byte budget. O(1) per append.</summary>
    private void Written(InMemoryChannelLog log)
    {
        lock (_lruGate)
        {
            // Its node is gone when the channel was evicted after the append: then there is nothing to move.
            if (log.Node is { List: not null } node && node != _leastRecentlyWritten.Last)
            {
                _leastRecentlyWritten.Remove(node);
                _leastRecentlyWritten.AddLast(node);
            }

            HoldBudget();
        }
    }

    /// <summary>Trims the least recently written channels' oldest events until the log is within its byte budget.</summary>
    private void HoldBudget()
    {
        while (Volatile.Read(ref _bytes) > _options.MaxBytes && _leastRecentlyWritten.First is { } oldest)
        {
            var excess = Volatile.Read(ref _bytes) - _options.MaxBytes;
            var (freed, empty) = oldest.Value.TrimOldest(excess);
            Interlocked.Add(ref _bytes, -freed);
            if (empty && freed < excess)
            {
                // Nothing left to trim and still over: the channel itself goes.
                Evict(oldest.Value);
            }
        }
    }

    private void Evict(InMemoryChannelLog log)
    {
        _leastRecentlyWritten.Remove(log.Node!);
        _channels.TryRemove(new KeyValuePair<string, InMemoryChannelLog>(log.Channel, log));
        Interlocked.Add(ref _bytes, -log.MarkEvicted());
    }
}
