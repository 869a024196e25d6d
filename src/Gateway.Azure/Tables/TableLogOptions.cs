namespace Gateway.Azure.Tables;

/// <summary>The Table-storage event log. Bound from <c>Gateway:Tables</c>; the connection is <c>EventLogStorage</c>.</summary>
public sealed class TableLogOptions
{
    public const string SectionName = "Gateway:Tables";

    /// <summary>The table holding every channel's log; created if missing.</summary>
    public string TableName { get; set; } = "events";

    /// <summary>Events fetched per request when reading a log (the service returns at most 1,000). A reader holds at most two pages: the one it consumes and the next, fetched meanwhile.</summary>
    public int ReadPageSize { get; set; } = 1000;
}
