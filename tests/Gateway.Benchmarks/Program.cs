using BenchmarkDotNet.Running;
using Gateway.Benchmarks.ServiceBus;
using Gateway.Benchmarks.Tables;

namespace Gateway.Benchmarks;

public static class BenchmarkProgram
{
    public static async Task Main(string[] args)
    {
        // Latency percentiles need every message's time, which BenchmarkDotNet does not give: a runner of its own.
        if (args.Contains(ServiceBusLatencyBenchmark.Switch))
        {
            await ServiceBusLatencyBenchmark.RunAsync(args);
            return;
        }

        if (args.Contains(HotChannelIngest.Switch))
        {
            await HotChannelIngest.RunAsync(args);
            return;
        }

        if (args.Contains(HotChannelAppendCost.Switch))
        {
            await HotChannelAppendCost.RunAsync();
            return;
        }

        if (args.Contains(RetentionAtScale.Switch))
        {
            await RetentionAtScale.RunAsync(args);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
    }
}
