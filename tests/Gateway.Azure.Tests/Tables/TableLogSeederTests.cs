using System.Text;
using Azure.Data.Tables;
using Gateway.Azure.Tests.Azurite;
using Gateway.Core.Events;
using Gateway.Testing;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.Tables;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Azure.Tests.Tables;

/// <summary>
/// The kit's fast seeding (for measurements over 100,000 channels) writes exactly the rows the log's append path
/// writes, so what retention is measured on is what production holds.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableLogSeederTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly string[] RandomPerLog = ["Epoch", "Attempt"];
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly string _tableName = TableLogSettings.NewTableName();
    private TableLogInstance? _log;

    [Fact]
    public async Task Seeded_channels_hold_the_rows_appending_the_same_events_writes()
    {
        _log = new TableLogInstance(azurite.Azurite.ConnectionString, _tableName, _time, _ => { });
        var first = new EventDraft[] { new("created", Encoding.UTF8.GetBytes("{\"n\":1}"), "src-1"), new(null, Encoding.UTF8.GetBytes("2"), "src-2") };
        var second = new EventDraft[] { new("updated", Encoding.UTF8.GetBytes("3")), new(null, Encoding.UTF8.GetBytes("4"), "id with spaces/and slashes") };
        var firstTime = _time.GetUtcNow();
        await _log.Log.AppendAsync("appended", first, Waits.ForTest());
        _time.Advance(TimeSpan.FromMinutes(5));
        await _log.Log.AppendAsync("appended", second, Waits.ForTest());

        await new TableLogSeeder(_log.Table).SeedAsync(
            [new SeedChannel("seeded", [new SeedAppend(firstTime, first), new SeedAppend(_time.GetUtcNow(), second)])],
            cancellationToken: Waits.ForTest());

        var rows = new List<TableEntity>();
        await foreach (var row in _log.Table.QueryAsync<TableEntity>(cancellationToken: Waits.ForTest()))
        {
            rows.Add(row);
        }

        Assert.Equal(["appended", "seeded"], rows.Where(r => r.PartitionKey == "!channels").Select(r => r.RowKey));
        Assert.All(rows.Where(r => r.PartitionKey == "!channels"), r => Assert.Empty(Comparable(r)));
        var appended = rows.Where(r => r.PartitionKey == "appended").Select(r => (r.RowKey, Comparable(r))).ToList();
        Assert.Equal(["!epoch", "!head", "e:0000000000000000001", "e:0000000000000000002", "e:0000000000000000003", "e:0000000000000000004"],
            appended.Select(r => r.RowKey).Take(6));
        Assert.Equal(9, appended.Count);
        Assert.Equal(appended, rows.Where(r => r.PartitionKey == "seeded").Select(r => (r.RowKey, Comparable(r))));
    }

    public void Dispose() => _log?.Dispose();

    /// <summary>
    /// A row's properties as text, with the values that are random per log or per transaction (the epoch, the attempt
    /// token) reduced to their presence, and the service's own (timestamp, ETag) left out.
    /// </summary>
    private static string[] Comparable(TableEntity row) =>
    [
        .. row.Keys
            .Where(k => k is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
            .Order(StringComparer.Ordinal)
            .Select(k => RandomPerLog.Contains(k) ? $"{k}=*" : $"{k}={Text(row[k])}"),
    ];

    private static string Text(object? value) => value switch
    {
        byte[] bytes => Convert.ToBase64String(bytes),
        DateTimeOffset time => time.ToString("O"),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null",
    };
}
