using Gateway.Core.Events;

namespace Gateway.Core.Log;

/// <summary>
/// One channel's events in the embedded log, oldest first, with the bytes they are charged for. Removing the
/// oldest events is amortised O(1) (a start index, compacted now and then), so trimming one event at a time to
/// hold the byte budget stays cheap. Once evicted it takes no more appends: an append that raced with the
/// eviction goes to the channel's next log instead of into one nobody can read.
/// </summary>
internal sealed class InMemoryChannelLog(string channel, string epoch)
{
    // Compact the list once this many removed slots lead it and they are at least half of it.
    private const int CompactAfter = 1024;

    private readonly Lock _gate = new();
    private readonly List<ChannelEvent?> _events = [];
    private readonly Dictionary<string, long> _sourceIds = new(StringComparer.Ordinal);

    // Dedupe markers in offset order, so forgetting those of removed events does not scan every marker.
    private readonly Queue<(string SourceId, long Offset)> _sourceOrder = new();
    private int _start;
    private long _head;
    private long _eventBytes;
    private bool _evicted;

    public string Channel { get; } = channel;

    public string Epoch { get; } = epoch;

    /// <summary>This log's place in the least-recently-written list; owned by <see cref="InMemoryEventLog"/> under its LRU lock.</summary>
    public LinkedListNode<InMemoryChannelLog>? Node { get; set; }

    /// <summary>What the channel itself is charged while it exists, even with no events: its objects, name and epoch.</summary>
    public long OverheadBytes => InMemoryEventCost.OfChannel(Channel);

    public LogHead Head
    {
        get
        {
            lock (_gate)
            {
                return new LogHead(Epoch, _head);
            }
        }
    }

    /// <summary>The offset of the oldest retained event; null when none is.</summary>
    public long? OldestOffset
    {
        get
        {
            lock (_gate)
            {
                return _start < _events.Count ? _events[_start]!.Offset : null;
            }
        }
    }

    /// <summary>
    /// Appends the drafts (deduplicated by source id) and trims to <paramref name="maxEvents"/>; null when the log was
    /// evicted first. <paramref name="bytesDelta"/> is the change in charged bytes.
    /// </summary>
    public AppendResult? TryAppend(IReadOnlyList<EventDraft> drafts, DateTimeOffset now, int maxEvents, out long bytesDelta)
    {
        bytesDelta = 0;
        var appended = new List<ChannelEvent>(drafts.Count);
        List<AppendedBefore>? duplicates = null;
        lock (_gate)
        {
            if (_evicted)
            {
                return null;
            }

            foreach (var draft in drafts)
            {
                if (draft.SourceId is { } sourceId)
                {
                    if (!_sourceIds.TryAdd(sourceId, _head + 1))
                    {
                        (duplicates ??= []).Add(new AppendedBefore(sourceId, _sourceIds[sourceId]));
                        continue;
                    }

                    _sourceOrder.Enqueue((sourceId, _head + 1));
                }

                var e = new ChannelEvent(Channel, Epoch, ++_head, draft.EventName, draft.Data, now);
                _events.Add(e);
                appended.Add(e);
                bytesDelta += InMemoryEventCost.Of(e);
            }

            _eventBytes += bytesDelta;
            bytesDelta -= TrimToCount(maxEvents);
        }

        return new AppendResult(Epoch, appended, duplicates ?? (IReadOnlyList<AppendedBefore>)[]);
    }

    public ChannelEvent[] ReadPage(long afterOffset, int max)
    {
        lock (_gate)
        {
            var count = _events.Count - _start;
            if (count == 0)
            {
                return [];
            }

            var first = _events[_start]!.Offset;
            var skip = afterOffset < first ? 0 : afterOffset - first + 1;
            if (skip >= count)
            {
                return [];
            }

            var take = (int)Math.Min(max, count - skip);
            var page = new ChannelEvent[take];
            for (var i = 0; i < take; i++)
            {
                page[i] = _events[_start + (int)skip + i]!;
            }

            return page;
        }
    }

    /// <summary>Removes events older than <paramref name="cutoff"/> or beyond <paramref name="maxEvents"/>; returns (events, bytes) removed.</summary>
    public (long Events, long Bytes) Prune(DateTimeOffset cutoff, int maxEvents)
    {
        lock (_gate)
        {
            var count = _events.Count - _start;
            var byAge = 0;
            while (byAge < count && _events[_start + byAge]!.Time < cutoff)
            {
                byAge++;
            }

            var remove = Math.Max(byAge, Math.Max(0, count - maxEvents));
            return (remove, RemoveOldest(remove));
        }
    }

    /// <summary>
    /// Removes the oldest events until at least <paramref name="bytes"/> are freed or none is left; returns the bytes
    /// freed and whether the log is now empty. The byte budget calls this on the least recently written channel.
    /// </summary>
    public (long Freed, bool Empty) TrimOldest(long bytes)
    {
        lock (_gate)
        {
            long freed = 0;
            var remove = 0;
            var count = _events.Count - _start;
            while (remove < count && freed < bytes)
            {
                freed += InMemoryEventCost.Of(_events[_start + remove]!);
                remove++;
            }

            RemoveOldest(remove);
            return (freed, remove == count);
        }
    }

    /// <summary>
    /// Like <see cref="MarkEvicted"/>, but only when the log holds no event, checked under the same lock appends take:
    /// an append that comes after goes to the channel's next log. Null (and nothing changed) when it has events.
    /// </summary>
    public long? TryMarkEvictedIfEmpty()
    {
        lock (_gate)
        {
            if (_evicted || _events.Count - _start > 0)
            {
                return null;
            }

            _evicted = true;
            return _eventBytes + OverheadBytes;
        }
    }

    /// <summary>Takes no more appends from now on; returns every byte the log was charged (events and overhead).</summary>
    public long MarkEvicted()
    {
        lock (_gate)
        {
            _evicted = true;
            return _eventBytes + OverheadBytes;
        }
    }

    private long TrimToCount(int maxEvents)
    {
        // Trim in steps of a tenth so appends stay amortised O(1) instead of trimming one event every time.
        var excess = _events.Count - _start - maxEvents;
        return excess > 0 && (excess >= Math.Max(1, maxEvents / 10) || maxEvents < 10) ? RemoveOldest(excess) : 0;
    }

    private long RemoveOldest(int count)
    {
        if (count <= 0)
        {
            return 0;
        }

        long freed = 0;
        long lastRemoved = 0;
        for (var i = 0; i < count; i++)
        {
            var e = _events[_start]!;
            _events[_start] = null;
            _start++;
            freed += InMemoryEventCost.Of(e);
            lastRemoved = e.Offset;
        }

        if (_start == _events.Count)
        {
            _events.Clear();
            _start = 0;
        }
        else if (_start >= CompactAfter && _start >= _events.Count / 2)
        {
            _events.RemoveRange(0, _start);
            _start = 0;
        }

        // Dedupe markers live as long as the events they guard.
        while (_sourceOrder.TryPeek(out var marker) && marker.Offset <= lastRemoved)
        {
            _sourceOrder.Dequeue();
            _sourceIds.Remove(marker.SourceId);
        }

        _eventBytes -= freed;
        return freed;
    }
}
