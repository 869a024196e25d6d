namespace Gateway.Testing.Hosting;

/// <summary>Settings that put a gateway's log in Table storage (Azurite), each test on a table of its own.</summary>
public static class TableLogSettings
{
    /// <summary>A fresh table name, so tests that share one Azurite never see each other's rows.</summary>
    public static string NewTableName() => "t" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>
    /// The Table log on <paramref name="connectionString"/> with fast-failing client retries, as configuration pairs
    /// (<see cref="GatewayServices.Build"/> takes them; a test may change one).
    /// </summary>
    public static Dictionary<string, string?> For(string connectionString, string tableName) => new()
    {
        ["EventLogStorage"] = connectionString,
        ["EventLogStorage:Retry:MaxRetries"] = "2",
        ["EventLogStorage:Retry:Delay"] = "00:00:00.100",
        ["EventLogStorage:Retry:MaxDelay"] = "00:00:00.500",
        ["EventLogStorage:Retry:NetworkTimeout"] = "00:00:10",
        ["Gateway:Tables:TableName"] = tableName,
    };

    /// <summary>The same on a new table, then <paramref name="more"/>, as settings for <see cref="GatewayTestHost"/>.</summary>
    public static (string Key, string Value)[] OnNewTable(string connectionString, params (string Key, string Value)[] more) =>
        [.. GatewayArguments.From(For(connectionString, NewTableName())), .. more];
}
