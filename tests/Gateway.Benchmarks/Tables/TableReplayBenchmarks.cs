using System.Net.ServerSentEvents;
using Azure.Data.Tables;
using BenchmarkDotNet.Attributes;
using Gateway.Core.Log;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Benchmarks.Tables;

/// <summary>
/// Replay of 10,000 events of one channel from Azurite: a raw <see cref="TableClient.QueryAsync{T}(string, int?, IEnumerable{string}, CancellationToken)"/>
/// range read (the baseline), the same through <see cref="IEventLog.ReadAfterAsync"/>, and through the SSE stream of the
/// server host (Last-Event-ID at offset 0, read over HTTP until the 10,000th event). Mean is per event.
/// Run: <c>dotnet run -c Release --project tests/Gateway.Benchmarks -- --filter *TableReplay*</c> (after <c>npm ci</c>).
/// </summary>
[Config(typeof(TableBenchmarkConfig))]
public class TableReplayBenchmarks
{
    private const int Events = 10_000;
    private const string Channel = "replay";

    private AzuriteProcess _azurite = null!;
    private GatewayServices _services = null!;
    private IEventLog _log = null!;
    private TableClient _raw = null!;
    private GatewayTestHost _server = null!;
    private string _epoch = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _azurite = await TableBenchEnvironment.AzuriteAsync();
        _services = TableBenchEnvironment.LogServices(_azurite);
        _log = _services.GetRequiredService<IEventLog>();
        _epoch = await TableBenchEnvironment.SeedAsync(_log, Channel, Events);
        _raw = TableBenchEnvironment.RawTable(_azurite);
        _server = await TableBenchEnvironment.StartServerAsync(_azurite);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _server.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public async Task<int> RawTableQuery()
    {
        var count = 0;
        var filter = $"PartitionKey eq '{Channel}' and RowKey gt 'e:0000000000000000000' and RowKey lt 'e;'";
        await foreach (var row in _raw.QueryAsync<TableEntity>(filter, 1000))
        {
            count += row.GetBinary("Data")!.Length > 0 ? 1 : 0;
        }

        return Check(count);
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<int> LogReadAfter()
    {
        var count = 0;
        await foreach (var e in _log.ReadAfterAsync(Channel, 0, CancellationToken.None))
        {
            count += e.Data.Length > 0 ? 1 : 0;
        }

        return Check(count);
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<int> SseStreamReplay()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, GatewayHttp.StreamPath(Channel));
        request.Headers.Add("Last-Event-ID", $"{_epoch}-0");
        using var response = await _server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var count = 0;
        await foreach (var item in SseParser.Create(body, static (_, data) => data.Length).EnumerateAsync())
        {
            if (item.Data > 0 && ++count == Events)
            {
                break;
            }
        }

        return Check(count);
    }

    private static int Check(int count) =>
        count == Events ? count : throw new InvalidOperationException($"Read {count} events instead of {Events}.");
}
