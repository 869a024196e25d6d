using Azure;
using Azure.Data.Tables;
using Gateway.Core.Events;
using Gateway.Core.Log;

namespace Gateway.Azure.Tables;

/// <summary>
/// One entity-group transaction of an append: the epoch row when the log is new, then the event rows, then one
/// marker per source id, then the head row (upserted by the transaction that creates the log, updated by every other). Insert-only except for the head, so two writers that chose the same
/// offset (or the same source message) collide on an insert and exactly one of them commits.
/// </summary>
internal sealed class AppendChunk
{
    /// <summary>The service's limit on the operations of one entity-group transaction.</summary>
    public const int MaxActions = 100;

    // The service refuses a transaction body over 4 MiB; data travels base64-encoded (4/3) inside JSON.
    private const long MaxPayloadBytes = 3 * 1024 * 1024;
    private const int RowOverheadBytes = 700;

    private readonly List<TableTransactionAction> _actions = [];
    private readonly List<Role> _roles = [];
    private readonly List<ChannelEvent> _events = [];
    private readonly List<int> _draftIndexes = [];

    private AppendChunk(string? attempt, long firstOffset)
    {
        Attempt = attempt;
        FirstOffset = firstOffset;
    }

    public IReadOnlyList<TableTransactionAction> Actions => _actions;

    /// <summary>The events this transaction commits, in offset order.</summary>
    public IReadOnlyList<ChannelEvent> Events => _events;

    /// <summary>For each of <see cref="Events"/>, the index of its draft in the append call.</summary>
    public IReadOnlyList<int> DraftIndexes => _draftIndexes;

    /// <summary>A token on the first event row, or null when the chunk has no events.</summary>
    public string? Attempt { get; }

    public long FirstOffset { get; }

    /// <summary>
    /// Takes as many of the <paramref name="pending"/> drafts (in order) as fit in one transaction after <paramref name="tail"/>;
    /// <paramref name="newEpoch"/> is given when the log does not exist yet and this transaction creates it.
    /// </summary>
    public static AppendChunk Plan(string channel, LogHead tail, string? newEpoch, IReadOnlyList<EventDraft> drafts, IReadOnlyList<int> pending, DateTimeOffset now)
    {
        var epoch = newEpoch ?? tail.Epoch ?? throw new ArgumentException("A new log needs a new epoch.", nameof(newEpoch));
        var chunk = new AppendChunk(pending.Count > 0 ? Guid.NewGuid().ToString("N") : null, tail.Offset + 1);
        if (newEpoch is not null)
        {
            chunk.Add(TableTransactionActionType.Add, TableEventRows.Epoch(channel, newEpoch), new Role(RowRole.Epoch, -1));
        }

        var markers = new List<(TableEntity Row, int Draft)>();
        var budget = MaxActions - chunk._actions.Count - 1; // the head row goes last
        long payload = 0;
        var offset = tail.Offset;
        foreach (var index in pending)
        {
            var draft = drafts[index];
            var rows = draft.SourceId is null ? 1 : 2;
            var size = RowOverheadBytes * rows + ((draft.Data.Length + 2) / 3 * 4) + ((draft.EventName?.Length ?? 0) * 3);
            if (chunk._events.Count > 0 && (rows > budget || payload + size > MaxPayloadBytes))
            {
                break;
            }

            budget -= rows;
            payload += size;
            offset++;
            var row = TableEventRows.Event(channel, epoch, offset, draft, now, chunk._events.Count == 0 ? chunk.Attempt : null);
            chunk.Add(TableTransactionActionType.Add, row, new Role(RowRole.Event, index));
            chunk._events.Add(new ChannelEvent(channel, epoch, offset, draft.EventName, draft.Data, now));
            chunk._draftIndexes.Add(index);
            if (draft.SourceId is { } sourceId)
            {
                markers.Add((TableEventRows.Marker(channel, sourceId, offset), index));
            }
        }

        foreach (var (row, draftIndex) in markers)
        {
            chunk.Add(TableTransactionActionType.Add, row, new Role(RowRole.Marker, draftIndex));
        }

        // Into an existing log the head is updated, not upserted: the update needs the row to exist (If-Match: *),
        // so once retention has removed an emptied channel's head, an append that read the old head fails with 404
        // instead of reviving the removed log; it re-reads the head and creates the channel's next log.
        var head = TableEventRows.Head(channel, epoch, offset);
        if (newEpoch is null)
        {
            chunk.Add(TableTransactionActionType.UpdateReplace, head, new Role(RowRole.Head, -1), ETag.All);
        }
        else
        {
            chunk.Add(TableTransactionActionType.UpsertReplace, head, new Role(RowRole.Head, -1));
        }

        return chunk;
    }

    /// <summary>What the failed operation of a refused transaction was, and for a marker, which draft it guarded.</summary>
    public Role RoleOf(int? failedActionIndex) =>
        failedActionIndex is { } i && i >= 0 && i < _roles.Count ? _roles[i] : new Role(RowRole.Unknown, -1);

    private void Add(TableTransactionActionType type, TableEntity entity, Role role, ETag etag = default)
    {
        _actions.Add(new TableTransactionAction(type, entity, etag));
        _roles.Add(role);
    }

    public enum RowRole
    {
        Unknown,
        Epoch,
        Event,
        Marker,
        Head,
    }

    public readonly record struct Role(RowRole Kind, int DraftIndex);
}
