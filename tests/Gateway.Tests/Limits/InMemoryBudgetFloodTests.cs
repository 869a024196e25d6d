using System.Text;
using Gateway.Core.Log;
using Gateway.Testing.Hosting;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Gateway.Tests.Limits;

/// <summary>The byte budget holds the embedded server's memory while one publisher floods it with the largest events.</summary>
[Collection(SerialCollection.Name)]
public sealed class InMemoryBudgetFloodTests(ITestOutputHelper output)
{
    private const long Budget = 16L * 1024 * 1024;
    private const int Channels = 32;
    private const int EventsPerChannel = 32;
    private const int EventBytes = 64 * 1024;

    [Fact]
    public async Task A_flood_of_64_KiB_events_stays_within_MaxBytes()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:InMemory:MaxBytes", $"{Budget}"));
        var log = host.Services.GetRequiredService<InMemoryEventLog>();
        var before = HeapAfterFullCollection();
        var data = Encoding.UTF8.GetBytes(new string('x', EventBytes));

        // 1,024 events of 64 KiB = 64 MiB of data, four times the budget (eight times what the log charges for it).
        await Task.WhenAll(Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            for (var i = p; i < Channels * EventsPerChannel; i += 4)
            {
                await host.PublishAsync($"flood-{i % Channels}", data);
            }
        })));

        // Flooded channels are trimmed and evicted, so their heads say nothing. The ingest drains the bus in order, one
        // batch after another: once a second marker is in the log, the batch of the first, and every flood event before
        // it, has been appended.
        await host.PublishAsync("done", "1");
        await host.WaitForHeadAsync("done", 1);
        await host.PublishAsync("done", "2");
        await host.WaitForHeadAsync("done", 2);

        var after = HeapAfterFullCollection();
        output.WriteLine(
            $"Published {Channels * EventsPerChannel * (long)EventBytes / (1024 * 1024)} MiB in {Channels * EventsPerChannel} events; " +
            $"log charged {log.AccountedBytes / 1024.0 / 1024:0.0} MiB of a {Budget / 1024 / 1024} MiB budget; " +
            $"managed heap {before / 1024.0 / 1024:0.0} MiB before, {after / 1024.0 / 1024:0.0} MiB after (full GC)");

        Assert.True(log.AccountedBytes <= Budget, $"The log charges {log.AccountedBytes} bytes, over its budget of {Budget}.");

        // What the log really keeps: the retained events' data, about half of what it charges (the rest is for frames).
        long retained = 0;
        for (var c = 0; c < Channels; c++)
        {
            await foreach (var e in log.ReadAfterAsync($"flood-{c}", 0, CancellationToken.None))
            {
                retained += e.Data.Length;
            }
        }

        Assert.InRange(retained, Budget / 4, Budget / 2);

        // The heap grew by what the log holds, not by the 64 MiB published (slack for the host's pools and caches).
        Assert.True(after - before < Budget + (16L * 1024 * 1024), $"The managed heap grew by {(after - before) / 1024 / 1024} MiB.");
    }

    private static long HeapAfterFullCollection()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
