namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>The verdict itself, on made-up runs: a chaos run that passes is only worth something if the verdict fails the bad ones.</summary>
public sealed class ChaosVerdictTests : IDisposable
{
    // Four events over two channels: chaos-0 gets seq 0 and 2, chaos-1 gets 1 and 3.
    private static readonly ChaosRunOptions Options = new() { Events = 4, Channels = 2 };

    private readonly ChaosTimeline _timeline = new(Path.GetTempFileName());
    private int _clients;

    [Fact]
    public void A_clean_run_passes()
    {
        var verdict = Judge(Logs(), Client("chaos-0", (1, 0), (2, 2)), Client("chaos-1", (1, 1), (2, 3)));

        Assert.Empty(verdict.Problems);
        Assert.Equal(4, verdict.Delivered);
    }

    [Fact]
    public void Lost_doubled_reordered_and_foreign_events_are_named_per_client()
    {
        _timeline.Fault("FAULT SIGKILL instance A");
        var verdict = Judge(
            Logs(),
            Client("chaos-0", (1, 0), (1, 0)),
            Client("chaos-1", (2, 3), (1, 1), (2, 1)));

        var report = verdict.Report();
        Assert.Contains("client 0 (chaos-0): offset 1 doubled: again on connection 1", report, StringComparison.Ordinal);
        Assert.Contains("client 0 (chaos-0): 1 offsets never received: 2", report, StringComparison.Ordinal);
        Assert.Contains("last fault before: ", report, StringComparison.Ordinal);
        Assert.Contains("FAULT SIGKILL instance A", report, StringComparison.Ordinal);
        Assert.Contains("client 1 (chaos-1): offset 1 out of order: after 2", report, StringComparison.Ordinal);
        Assert.Contains("client 1 (chaos-1): offset 2 doubled", report, StringComparison.Ordinal);
        Assert.Contains("client 1 (chaos-1): offset 2 carried seq 1, the log has seq 3 there", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_log_that_lost_or_doubled_a_message_fails()
    {
        var logs = Logs();
        logs["chaos-0"] = [new(1, "ep", 0, ChaosProducer.Data(0)), new(2, "ep", 0, ChaosProducer.Data(0))];
        logs["chaos-1"] = [new(1, "ep", 1, ChaosProducer.Data(1)), new(3, "ep", 3, ChaosProducer.Data(3))];

        var report = Judge(logs).Report();

        Assert.Contains("log chaos-0: 1 sent messages missing: seq 2", report, StringComparison.Ordinal);
        Assert.Contains("log chaos-0: seq 0 appended 2 times, at offsets 1, 2 (the producer sent it once)", report, StringComparison.Ordinal);
        Assert.Contains("log chaos-1: offsets are not 1..2: 1, 3", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Ranges_are_compact()
    {
        Assert.Equal("1..3, 5, 7..8", ChaosVerdict.Ranges([1, 2, 3, 5, 7, 8]));
        Assert.Equal("", ChaosVerdict.Ranges([]));
    }

    public void Dispose()
    {
        _timeline.Dispose();
        File.Delete(_timeline.FilePath);
    }

    private ChaosVerdict Judge(Dictionary<string, List<ChaosLogRow>> logs, params ChaosReceiver[] clients) =>
        ChaosVerdict.Judge(Options, [1, 1, 1, 1], logs, clients, _timeline);

    private static Dictionary<string, List<ChaosLogRow>> Logs() => new()
    {
        ["chaos-0"] = [new(1, "ep", 0, ChaosProducer.Data(0)), new(2, "ep", 2, ChaosProducer.Data(2))],
        ["chaos-1"] = [new(1, "ep", 1, ChaosProducer.Data(1)), new(2, "ep", 3, ChaosProducer.Data(3))],
    };

    private ChaosReceiver Client(string channel, params (long Offset, int Seq)[] received) =>
        new($"client {_clients++} ({channel})", channel, [.. received.Select(r => new ChaosDelivery(r.Offset, r.Seq, "message", $"ep-{r.Offset}", ChaosProducer.Data(r.Seq), 1, _timeline.Now))]);
}
