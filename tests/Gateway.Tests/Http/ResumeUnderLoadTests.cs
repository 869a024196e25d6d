using Gateway.Core.Hub;
using Gateway.Testing.Hosting;
using Gateway.Testing.Scenarios;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Http;

/// <summary>
/// A client that resumes 10,000 events behind on a busy channel and reads steadily reaches live delivery without being
/// ended, though live events overflow its queue while the backlog is written; a client that stops reading is still ended.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ResumeUnderLoadTests
{
    private const int Capacity = 64;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_steady_reader_far_behind_on_a_busy_channel_reaches_live_delivery_and_misses_nothing(bool multiChannel)
    {
        await using var host = await GatewayTestHost.StartAsync(
            ("Gateway:Stream:QueueCapacity", Capacity.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Gateway:Stream:EndGracePeriod", "00:00:30"),
            ("Gateway:Retention:MaxEventsPerChannel", "20000"));
        var scenario = new BacklogResume(host, "load") { MultiChannel = multiChannel };
        var epoch = await scenario.FillAsync();

        var offsets = await scenario.ResumeAndReadAsync(epoch);

        Assert.Equal(Enumerable.Range(1, offsets.Count).Select(i => (long)i), offsets);
        Assert.Empty(scenario.EndReasons);
        Assert.True(scenario.HeldLive > Capacity);
        Assert.True(scenario.GapFills >= 1, "the stream never read the log again for live events it dropped: the queue did not overflow during catch-up, so the test proved nothing");
    }

    [Fact]
    public async Task A_client_that_stops_reading_while_catching_up_is_still_ended()
    {
        await using var host = await GatewayTestHost.StartAsync(
            ("Gateway:Stream:QueueCapacity", Capacity.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Gateway:Stream:EndGracePeriod", "00:00:01"),
            ("Gateway:Retention:MaxEventsPerChannel", "20000"));
        var scenario = new BacklogResume(host, "stopped");
        var epoch = await scenario.FillAsync();

        await scenario.ResumeAndStopReadingAsync(epoch);

        Assert.Equal([StreamEndReason.SlowConsumer], scenario.EndReasons);
    }
}
