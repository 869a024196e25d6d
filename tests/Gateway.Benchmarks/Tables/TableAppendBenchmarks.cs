using BenchmarkDotNet.Attributes;
using Gateway.Core.Events;
using Gateway.Core.Log;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Benchmarks.Tables;

/// <summary>
/// Append throughput on one channel in Azurite: 600 events per invocation in ingest-sized batches of 10 (each with a
/// source id, so each transaction also inserts its dedupe markers), by 1 or 4 writers, each writer its own log
/// instance as separate gateway instances would be. Mean is per event.
/// </summary>
[Config(typeof(TableBenchmarkConfig))]
public class TableAppendBenchmarks
{
    private const int Events = 600;
    private const int Batch = 10;

    private AzuriteProcess _azurite = null!;
    private List<GatewayServices> _instances = [];
    private string _channel = "";
    private int _run;

    [Params(1, 4)]
    public int Writers { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _azurite = await TableBenchEnvironment.AzuriteAsync();
        _instances = Enumerable.Range(0, Writers).Select(_ => TableBenchEnvironment.LogServices(_azurite)).ToList();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }
    }

    [IterationSetup]
    public void NewChannel() => _channel = $"append-{Writers}-{++_run}";

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task AppendBatchesOf10()
    {
        var perWriter = Events / Writers;
        await Task.WhenAll(_instances.Select((instance, w) => Task.Run(async () =>
        {
            var log = instance.GetRequiredService<IEventLog>();
            for (var i = 0; i < perWriter; i += Batch)
            {
                var drafts = Enumerable.Range(i, Batch)
                    .Select(n => TableBenchEnvironment.Draft(n) with { SourceId = $"{w}-{n}" })
                    .ToList();
                await log.AppendAsync(_channel, drafts, CancellationToken.None);
            }
        })));
    }
}
