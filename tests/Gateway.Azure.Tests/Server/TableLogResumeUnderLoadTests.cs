using Gateway.Azure.Tests.Azurite;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.Scenarios;

namespace Gateway.Azure.Tests.Server;

/// <summary>
/// Resume under load on the Table log (Azurite): a steady reader 10,000 events behind on a busy channel reaches live
/// delivery without being ended, though its queue overflows while the backlog is replayed from the table.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableLogResumeUnderLoadTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_steady_reader_far_behind_reaches_live_delivery_and_misses_nothing()
    {
        await using var server = await GatewayTestHost.StartAsync(TableLogSettings.OnNewTable(
            azurite.Azurite.ConnectionString,
            ("Gateway:Stream:QueueCapacity", "64"),
            ("Gateway:Stream:EndGracePeriod", "00:00:30"),
            ("Gateway:Retention:MaxEventsPerChannel", "20000")));
        var scenario = new BacklogResume(server, "load") { EventBytes = 1024, ReadRate = 4L * 1024 * 1024, BusyLive = 150 };
        var epoch = await scenario.FillAsync();

        var offsets = await scenario.ResumeAndReadAsync(epoch);

        Assert.Equal(Enumerable.Range(1, offsets.Count).Select(i => (long)i), offsets);
        Assert.Empty(scenario.EndReasons);
        Assert.True(scenario.GapFills >= 1, "the queue never overflowed during catch-up, so the test proved nothing");
    }
}
