using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Gateway.Core.Events;
using Gateway.Core.Options;
using Microsoft.Extensions.Options;

namespace Gateway.Core.Log;

/// <summary>
/// The embedded log: thread-safe, bounded by <see cref="InMemoryOptions.MaxChannels"/> and by the retention
/// count per channel. Its data dies with the process; the epoch makes the ids of a previous run stale.
/// </summary>
public sealed class InMemoryEventLog : IEventLog
{
    private const int PageSize = 256;

    private readonly ConcurrentDictionary<string, ChannelLog> _channels = new(StringComparer.Ordinal);
    private readonly Lock _createGate = new();
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<RetentionOptions> _retention;
    private readonly InMemoryOptions _options;

    public InMemoryEventLog(TimeProvider time, IOptionsMonitor<RetentionOptions> retention, IOptions<InMemoryOptions> options)
    {
        _time = time;
        _retention = retention;
        _options = options.Value;
    }

    public Task<LogHead> GetHeadAsync(string channel, CancellationToken cancellationToken)
    {
        return Task.FromResult(_channels.TryGetValue(channel, out var log) ? log.Head : LogHead.Empty);
    }

    public Task<AppendResult> AppendAsync(string channel, IReadOnlyList<EventDraft> drafts, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var log = _channels.TryGetValue(channel, out var existing) ? existing : Create(channel);
        return Task.FromResult(log.Append(drafts, _time.GetUtcNow(), _retention.CurrentValue.MaxEventsPerChannel));
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

    public Task<long> ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        var policy = _retention.CurrentValue;
        var cutoff = _time.GetUtcNow() - policy.MaxAge;
        long removed = 0;
        foreach (var log in _channels.Values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            removed += log.Prune(cutoff, policy.MaxEventsPerChannel);
        }

        return Task.FromResult(removed);
    }

    private ChannelLog Create(string channel)
    {
        lock (_createGate)
        {
            if (_channels.TryGetValue(channel, out var raced))
            {
                return raced;
            }

            if (_channels.Count >= _options.MaxChannels)
            {
                EvictLeastRecentlyWritten();
            }

            var log = new ChannelLog(channel, EventPosition.NewEpoch(), _time.GetUtcNow());
            _channels[channel] = log;
            return log;
        }
    }

    // A linear scan, but only when a new channel arrives at a full log.
    private void EvictLeastRecentlyWritten()
    {
        KeyValuePair<string, ChannelLog>? oldest = null;
        foreach (var pair in _channels)
        {
            if (oldest is null || pair.Value.LastWrite < oldest.Value.Value.LastWrite)
            {
                oldest = pair;
            }
        }

        if (oldest is { } victim)
        {
            _channels.TryRemove(victim);
        }
    }

    private sealed class ChannelLog(string channel, string epoch, DateTimeOffset created)
    {
        private readonly Lock _gate = new();
        private readonly List<ChannelEvent> _events = [];
        private readonly Dictionary<string, long> _sourceIds = new(StringComparer.Ordinal);
        private long _head;

        public DateTimeOffset LastWrite { get; private set; } = created;

        public LogHead Head
        {
            get
            {
                lock (_gate)
                {
                    return new LogHead(epoch, _head);
                }
            }
        }

        public AppendResult Append(IReadOnlyList<EventDraft> drafts, DateTimeOffset now, int maxEvents)
        {
            var appended = new List<ChannelEvent>(drafts.Count);
            List<AppendedBefore>? duplicates = null;
            lock (_gate)
            {
                foreach (var draft in drafts)
                {
                    if (draft.SourceId is { } sourceId && !_sourceIds.TryAdd(sourceId, _head + 1))
                    {
                        (duplicates ??= []).Add(new AppendedBefore(sourceId, _sourceIds[sourceId]));
                        continue;
                    }

                    var e = new ChannelEvent(channel, epoch, ++_head, draft.EventName, draft.Data, now);
                    _events.Add(e);
                    appended.Add(e);
                }

                LastWrite = now;
                TrimToCount(maxEvents);
            }

            return new AppendResult(epoch, appended, duplicates ?? (IReadOnlyList<AppendedBefore>)[]);
        }

        public ChannelEvent[] ReadPage(long afterOffset, int max)
        {
            lock (_gate)
            {
                if (_events.Count == 0)
                {
                    return [];
                }

                var first = _events[0].Offset;
                var start = afterOffset < first ? 0 : afterOffset - first + 1;
                if (start >= _events.Count)
                {
                    return [];
                }

                var count = (int)Math.Min(max, _events.Count - start);
                return _events.GetRange((int)start, count).ToArray();
            }
        }

        public long Prune(DateTimeOffset cutoff, int maxEvents)
        {
            lock (_gate)
            {
                var byAge = 0;
                while (byAge < _events.Count && _events[byAge].Time < cutoff)
                {
                    byAge++;
                }

                var byCount = Math.Max(0, _events.Count - maxEvents);
                var remove = Math.Max(byAge, byCount);
                RemoveOldest(remove);
                return remove;
            }
        }

        private void TrimToCount(int maxEvents)
        {
            // Trim in steps of a tenth so appends stay amortised O(1) instead of shifting the list every time.
            var excess = _events.Count - maxEvents;
            if (excess > 0 && (excess >= Math.Max(1, maxEvents / 10) || maxEvents < 10))
            {
                RemoveOldest(excess);
            }
        }

        private void RemoveOldest(int count)
        {
            if (count <= 0)
            {
                return;
            }

            var lastRemoved = _events[count - 1].Offset;
            _events.RemoveRange(0, count);

            // Dedupe markers live as long as the events they guard.
            if (_sourceIds.Count > 0)
            {
                foreach (var pair in _sourceIds)
                {
                    if (pair.Value <= lastRemoved)
                    {
                        _sourceIds.Remove(pair.Key);
                    }
                }
            }
        }
    }
}
