using Azure.Data.Tables;
using Gateway.Core.Events;

namespace Gateway.Azure.Tables;

/// <summary>The entities of the log (see <see cref="TableRowKeys"/>) and their property names.</summary>
internal static class TableEventRows
{
    public const string EpochProperty = "Epoch";
    public const string OffsetProperty = "Offset";
    public const string NameProperty = "Name";
    public const string DataProperty = "Data";
    public const string TimeProperty = "Time";
    public const string SourceIdProperty = "SourceId";

    /// <summary>Set on the first event row of each transaction, so a transaction the SDK re-sent after a lost reply can recognise itself.</summary>
    public const string AttemptProperty = "Attempt";

    public static readonly string[] EventColumns = ["PartitionKey", "RowKey", EpochProperty, NameProperty, DataProperty, TimeProperty];

    public static TableEntity Event(string channel, string epoch, long offset, EventDraft draft, DateTimeOffset time, string? attempt)
    {
        var entity = new TableEntity(channel, TableRowKeys.Event(offset))
        {
            [EpochProperty] = epoch,
            [DataProperty] = draft.Data.ToArray(),
            [TimeProperty] = time,
        };
        if (draft.EventName is { } name)
        {
            entity[NameProperty] = name;
        }

        if (attempt is not null)
        {
            entity[AttemptProperty] = attempt;
        }

        return entity;
    }

    public static TableEntity Marker(string channel, string sourceId, long offset) =>
        new(channel, TableRowKeys.Marker(sourceId))
        {
            [OffsetProperty] = offset,
            [SourceIdProperty] = sourceId,
        };

    public static TableEntity Head(string channel, string epoch, long offset) =>
        new(channel, TableRowKeys.HeadRow) { [EpochProperty] = epoch, [OffsetProperty] = offset };

    public static TableEntity Epoch(string channel, string epoch) => new(channel, TableRowKeys.EpochRow) { [EpochProperty] = epoch };

    public static TableEntity ChannelIndex(string channel) => new(TableRowKeys.ChannelsPartition, channel);

    public static ChannelEvent ToEvent(TableEntity row) =>
        new(
            row.PartitionKey,
            row.GetString(EpochProperty),
            TableRowKeys.ParseEventOffset(row.RowKey),
            row.GetString(NameProperty),
            row.GetBinary(DataProperty) ?? [],
            row.GetDateTimeOffset(TimeProperty) ?? default);
}
