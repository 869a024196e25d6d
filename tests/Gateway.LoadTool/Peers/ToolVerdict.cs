using System.Globalization;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// Whether the tool, rather than the server, may have set a peer run's figures, and why. Three ways, each from a
/// measurement rather than a share of the machine guessed from the server's use alone:
/// a receiving process near its ceiling (one core for the raw client, whose streams are all read by one poller
/// thread; every core for HttpClient); the publisher late against its schedule although the server answered its
/// POSTs quickly (when the answers were slow, the lag is the server's and says so); or the machine saturated while
/// the tool took a large share of it (tool and server share the cores, so the tool's CPU was the server's loss).
/// </summary>
internal sealed record ToolVerdict(bool Bottleneck, IReadOnlyList<string> Notes)
{
    /// <summary>A process this busy against its ceiling is taken as unable to keep up.</summary>
    public const double Saturated = 0.85;

    /// <summary>On a saturated machine, a tool taking at least this share of the busy CPU is a limit.</summary>
    public const double LargeShare = 0.25;

    public static ToolVerdict Judge(PeerPlan plan, WindowCpu cpu, PublishFigures published, int cores)
    {
        var c = CultureInfo.InvariantCulture;
        var notes = new List<string>();
        var bottleneck = false;

        var ceiling = plan.Client == PeerPlan.RawClient ? 1.0 : cores;
        var busiest = cpu.Receivers.Count == 0 ? 0 : cpu.Receivers.Max() / cpu.Seconds;
        if (busiest >= Saturated * ceiling)
        {
            bottleneck = true;
            notes.Add(string.Create(c, $"a receiving process used {busiest:0.00} cores of its {ceiling:0.#} (one poller thread each for the raw client): it could not read faster; use more --Workers"));
        }

        var interval = 1000.0 * plan.Channels / plan.Rate;
        var lag = published.Lag.Percentile(99);
        var answer = published.Answers.Percentile(99);
        if (lag > Math.Max(20, interval))
        {
            if (answer >= interval)
            {
                notes.Add(string.Create(c, $"the publisher fell behind its schedule (p99 {lag:0.0} ms late) because the server took up to {answer:0.0} ms (p99) to answer a POST (one at a time per channel): the server's limit; latency from the schedule counts it"));
            }
            else
            {
                bottleneck = true;
                notes.Add(string.Create(c, $"the publisher fell behind its schedule (p99 {lag:0.0} ms late) although the server answered its POSTs within {answer:0.0} ms (p99): the tool's publisher was starved of CPU"));
            }
        }

        var machine = cpu.Machine / cpu.Seconds;
        var tool = cpu.Tool / cpu.Seconds;
        if (machine >= Saturated * cores)
        {
            var server = (cpu.Server ?? 0) / cpu.Seconds;
            var share = tool / machine;
            bottleneck |= share >= LargeShare;
            notes.Add(string.Create(c, $"the machine was saturated ({machine:0.00} of {cores} cores busy: server {server:0.00}, tool {tool:0.00}, other processes {Math.Max(0, machine - server - tool):0.00}): latencies include waiting for a core{(share >= LargeShare ? "; the tool's share was large enough to be a limit" : "")}"));
        }

        return new ToolVerdict(bottleneck, notes);
    }
}
