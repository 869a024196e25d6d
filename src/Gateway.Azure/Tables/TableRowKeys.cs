using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Azure.Tables;

/// <summary>
/// The layout of the event log in one table. Each channel is one partition (PartitionKey = channel name),
/// so every append is a single entity-group transaction and every read a range query in one partition.
/// RowKeys carry a prefix so the kinds of row never mix in a range query:
/// <list type="bullet">
/// <item><c>!epoch</c> — the log's epoch; inserted (never replaced) in the channel's first transaction, so two
///   writers that create the log at once collide and only one epoch wins.</item>
/// <item><c>!head</c> — the epoch and the last committed offset, upserted in every append transaction: one point read
///   finds the tail. It also keeps offsets from being reused after retention removed every event.</item>
/// <item><c>e:0000000000000000042</c> — the event at offset 42 (19 digits, so string order is offset order).</item>
/// <item><c>m:{source id}</c> — a dedupe marker for one source message, holding the offset it was appended at.
///   Ids that are not plain ASCII (or are long) are stored as <c>m:~{base64url(SHA-256)}</c>.</item>
/// </list>
/// '!' sorts before 'e' and 'm', and ';' follows ':', so <c>[e:, e;)</c> is exactly the events and <c>[m:, m;)</c>
/// the markers. The partition <c>!channels</c> (not a valid channel name) lists every channel, one row each, so
/// retention can enumerate channels without scanning the table; the partition <c>!retention</c> holds the row
/// <c>cursor</c>, the last channel the previous budget-limited retention run visited.
/// </summary>
internal static class TableRowKeys
{
    public const string EpochRow = "!epoch";
    public const string HeadRow = "!head";
    public const string ChannelsPartition = "!channels";
    public const string RetentionPartition = "!retention";
    public const string CursorRow = "cursor";

    public const string EventPrefix = "e:";
    public const string EventRangeEnd = "e;";
    public const string MarkerPrefix = "m:";
    public const string MarkerRangeEnd = "m;";

    private const int OffsetDigits = 19;
    private const int MaxPlainSourceIdLength = 256;

    public static string Event(long offset) => EventPrefix + offset.ToString("D19", CultureInfo.InvariantCulture);

    public static long ParseEventOffset(string rowKey) =>
        long.Parse(rowKey.AsSpan(EventPrefix.Length, OffsetDigits), NumberStyles.None, CultureInfo.InvariantCulture);

    public static string Marker(string sourceId)
    {
        if (sourceId.Length <= MaxPlainSourceIdLength && sourceId.All(IsPlain))
        {
            return MarkerPrefix + sourceId;
        }

        // RowKeys forbid '/', '\', '#', '?' and control characters and hold at most 1 KiB: hash anything else.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(sourceId));
        return MarkerPrefix + "~" + Convert.ToBase64String(hash).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static bool IsPlain(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':';
}
