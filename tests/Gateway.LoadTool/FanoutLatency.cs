using System.Diagnostics;
using System.Globalization;

namespace Gateway.LoadTool;

/// <summary>
/// Publish-to-delivery times. Each published event's data is the publisher's <see cref="Stopwatch"/> timestamp; the
/// readers run in the same process, so the difference at arrival is the fan-out latency through the server.
/// </summary>
internal sealed class FanoutLatency
{
    private readonly List<double> _milliseconds = [];

    public int Deliveries
    {
        get
        {
            lock (_milliseconds)
            {
                return _milliseconds.Count;
            }
        }
    }

    public static string Stamp() => Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture);

    public void Record(string data)
    {
        var elapsed = Stopwatch.GetElapsedTime(long.Parse(data, CultureInfo.InvariantCulture)).TotalMilliseconds;
        lock (_milliseconds)
        {
            _milliseconds.Add(elapsed);
        }
    }

    /// <summary>"p50 … p99 … max" in milliseconds, nearest-rank percentiles.</summary>
    public string Summary()
    {
        double[] sorted;
        lock (_milliseconds)
        {
            sorted = [.. _milliseconds.Order()];
        }

        if (sorted.Length == 0)
        {
            return "no deliveries";
        }

        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        return $"p50 {Rank(50):0.0} ms, p90 {Rank(90):0.0} ms, p99 {Rank(99):0.0} ms, max {sorted[^1]:0.0} ms over {sorted.Length} deliveries";
    }
}
