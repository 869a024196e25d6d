using Gateway.LoadTool.Peers;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Xunit;

namespace Gateway.Tests.LoadTool;

/// <summary>
/// The peer bench's instrument counts right: what a stream lost, got twice or out of order, latency percentiles, the
/// payload it stamps, and a small run of its receivers and publisher against the real server on 127.0.0.1. Figures
/// are never asserted here (the bench prints them); only what was delivered.
/// </summary>
public sealed class PeerInstrumentTests
{
    [Fact]
    public void A_stream_tally_tells_lost_duplicated_and_out_of_order_apart()
    {
        var tally = new StreamTally(total: 6);

        Assert.True(tally.Record(0));
        Assert.True(tally.Record(2));
        Assert.True(tally.Record(1)); // after 2: out of order, still a delivery
        Assert.False(tally.Record(2)); // again: duplicated
        Assert.False(tally.Record(9)); // not this run's: never a delivery
        Assert.True(tally.Record(5));

        Assert.Equal(4, tally.Distinct);
        Assert.Equal(1, tally.Duplicated);
        Assert.Equal(2, tally.OutOfOrder);
        Assert.Equal(2, tally.LostFrom(0)); // 3 and 4
        Assert.Equal(1, tally.LostFrom(4));
    }

    [Fact]
    public void Histogram_percentiles_are_within_one_percent_and_survive_the_worker_line()
    {
        var histogram = new LatencyHistogram();
        for (var i = 1; i <= 1000; i++)
        {
            histogram.Record(i / 10.0); // 0.1 … 100 ms
        }

        var copy = LatencyHistogram.Deserialize(histogram.Serialize());
        var merged = new LatencyHistogram();
        merged.Merge(copy);

        Assert.Equal(1000, merged.Count);
        Assert.Equal(100.0, merged.MaxMilliseconds);
        Assert.InRange(merged.Percentile(50), 50.0, 50.0 * 1.01);
        Assert.InRange(merged.Percentile(99), 99.0, 99.0 * 1.01);
    }

    [Fact]
    public void The_server_collections_in_a_window_are_the_difference_of_two_counts()
    {
        var before = Gateway.LoadTool.GcCounts.Parse("12 3 1 40.5");
        var after = Gateway.LoadTool.GcCounts.Parse("15 4 1 52.75\n");

        Assert.Equal(new Gateway.LoadTool.GcCounts(3, 1, 0, 12.25), after.Since(before));
    }

    [Fact]
    public void A_payload_is_padded_to_its_size_and_reads_back()
    {
        var data = PeerPayload.Create(sequence: 42, size: 100, scheduledTimestamp: 7);

        Assert.Equal(100, data.Length);
        Assert.Equal((42, 7L), (PeerPayload.TryParse(data)!.Value.Sequence, PeerPayload.TryParse(data)!.Value.ScheduledTimestamp));
        Assert.Null(PeerPayload.TryParse("hello"u8));
    }

    [Fact]
    public void The_tool_is_judged_the_limit_only_from_its_own_saturation_a_starved_publisher_or_a_large_share_of_a_full_machine()
    {
        var plan = new PeerPlan("http://s/{channel}", "http://p/{channel}", "v", Streams: 100, Channels: 10, WarmupEvents: 1, Events: 10, Rate: 50, PayloadBytes: 100, Workers: 2);
        var onTime = Publish(lagMs: 1, answerMs: 2);
        static WindowCpu Cpu(double server, double tool, double machine, params double[] receivers) => new(10, server * 10, tool * 10, [.. receivers.Select(r => r * 10)], machine * 10);

        var quiet = ToolVerdict.Judge(plan, Cpu(server: 0.5, tool: 0.3, machine: 1.0, 0.1, 0.1), onTime, cores: 2);
        var saturatedReceiver = ToolVerdict.Judge(plan, Cpu(server: 0.5, tool: 1.0, machine: 1.6, 0.9, 0.05), onTime, cores: 2);
        var slowServerAnswers = ToolVerdict.Judge(plan, Cpu(0.5, 0.3, 1.0, 0.1, 0.1), Publish(lagMs: 900, answerMs: 800), cores: 2);
        var starvedPublisher = ToolVerdict.Judge(plan, Cpu(0.5, 0.3, 1.0, 0.1, 0.1), Publish(lagMs: 900, answerMs: 5), cores: 2);
        var fullMachineSmallShare = ToolVerdict.Judge(plan, Cpu(0.6, 0.3, 2.0, 0.1, 0.1), onTime, cores: 2);
        var fullMachineLargeShare = ToolVerdict.Judge(plan, Cpu(0.6, 0.6, 2.0, 0.25, 0.25), onTime, cores: 2);

        Assert.Equal((false, 0), (quiet.Bottleneck, quiet.Notes.Count));
        Assert.True(saturatedReceiver.Bottleneck);
        Assert.False(slowServerAnswers.Bottleneck);
        Assert.Contains("server's limit", Assert.Single(slowServerAnswers.Notes), StringComparison.Ordinal);
        Assert.True(starvedPublisher.Bottleneck);
        Assert.False(fullMachineSmallShare.Bottleneck);
        Assert.Contains("saturated", Assert.Single(fullMachineSmallShare.Notes), StringComparison.Ordinal);
        Assert.True(fullMachineLargeShare.Bottleneck);

        static PublishFigures Publish(double lagMs, double answerMs)
        {
            var (lag, answers) = (new LatencyHistogram(), new LatencyHistogram());
            lag.Record(lagMs);
            answers.Record(answerMs);
            return new PublishFigures(1, 0, null, lag, answers, 0);
        }
    }

    [Theory]
    [InlineData(PeerPlan.RawClient)]
    [InlineData("http")]
    public async Task Receivers_and_publisher_against_the_gateway_count_every_event_once_in_order(string client)
    {
        await using var host = await GatewayTestHost.StartAsync();
        var plan = new PeerPlan(
            SubscribeUrl: host.BaseAddress.GetLeftPart(UriPartial.Authority) + "/api/channels/{channel}/stream",
            PublishUrl: host.BaseAddress.GetLeftPart(UriPartial.Authority) + "/api/channels/{channel}/events",
            RunId: "peertest", Streams: 12, Channels: 3, WarmupEvents: 2, Events: 5, Rate: 200, PayloadBytes: 100, Workers: 1, Client: client);
        await using var group = new ReceiverGroup(plan);
        await group.OpenAsync(plan.StreamsOf(0), concurrency: 4, CancellationToken.None);
        using var publisher = new PeerPublisher(plan);

        var published = await publisher.PublishAsync(0, plan.TotalEvents, CancellationToken.None);
        await group.Done.WaitAsync(Waits.Item);
        var result = await group.StopAsync();

        Assert.Equal(0, published.Failed);
        Assert.Equal((12, 0), (result.Opened, result.Failed));
        Assert.Equal(12 * 5, result.Deliveries); // measured events only
        Assert.Equal((0L, 0L, 0L), (result.Lost, result.Duplicated, result.OutOfOrder));
        Assert.Equal(0, result.EndedEarly);
    }
}
