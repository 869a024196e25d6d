using System.Globalization;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Data.Tables;

namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>
/// Reads the Table log with Azure.Data.Tables directly, not through the gateway's adapter, so the verdict does not
/// trust the code under test: per channel one partition, <c>!head</c> holds the epoch and last offset, rows
/// <c>e:{offset, 19 digits}</c> the events.
/// </summary>
public sealed class ChaosLogReader(string connectionString, string table)
{
    private readonly TableClient _client = new(connectionString, table, new TableClientOptions
    {
        // Fail fast while Azurite is down: the callers poll or retry themselves.
        Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(100), NetworkTimeout = TimeSpan.FromSeconds(5), Mode = RetryMode.Fixed },
    });

    /// <summary>The channel's epoch and last offset, or null while its log does not exist.</summary>
    public async Task<(string Epoch, long Offset)?> HeadAsync(string channel, CancellationToken cancellationToken)
    {
        try
        {
            var head = await _client.GetEntityIfExistsAsync<TableEntity>(channel, "!head", cancellationToken: cancellationToken);
            return head.HasValue && head.Value is { } row ? (row.GetString("Epoch"), row.GetInt64("Offset") ?? 0) : null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // The table itself does not exist yet.
            return null;
        }
    }

    /// <summary>Every event row of the channel in offset order.</summary>
    public async Task<List<ChaosLogRow>> ReadAsync(string channel, CancellationToken cancellationToken)
    {
        var rows = new List<ChaosLogRow>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {channel} and RowKey ge {"e:"} and RowKey lt {"e;"}");
        await foreach (var row in _client.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var offset = long.Parse(row.RowKey.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture);
            var data = Encoding.UTF8.GetString(row.GetBinary("Data") ?? []);
            rows.Add(new ChaosLogRow(offset, row.GetString("Epoch"), ChaosProducer.SeqOf(data), data));
        }

        return rows;
    }
}
