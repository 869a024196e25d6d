using System.Globalization;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// Latencies in buckets 1 % wide (log scale from 1 µs), so millions of deliveries cost a few kilobytes and workers in
/// other processes can send theirs to the coordinator as text. Percentiles are read as a bucket's upper bound
/// (at most 1 % high); the maximum is exact. Not thread-safe: one per receiving loop owner, merged afterwards.
/// </summary>
internal sealed class LatencyHistogram
{
    private const double Growth = 1.01;
    private static readonly double LogGrowth = Math.Log(Growth);
    private readonly Dictionary<int, long> _buckets = [];

    public long Count { get; private set; }

    public double MaxMilliseconds { get; private set; }

    public void Record(double milliseconds)
    {
        var micros = Math.Max(1.0, milliseconds * 1000);
        var bucket = (int)Math.Ceiling(Math.Log(micros) / LogGrowth);
        _buckets[bucket] = _buckets.GetValueOrDefault(bucket) + 1;
        Count++;
        MaxMilliseconds = Math.Max(MaxMilliseconds, milliseconds);
    }

    public void Merge(LatencyHistogram other)
    {
        foreach (var (bucket, count) in other._buckets)
        {
            _buckets[bucket] = _buckets.GetValueOrDefault(bucket) + count;
        }

        Count += other.Count;
        MaxMilliseconds = Math.Max(MaxMilliseconds, other.MaxMilliseconds);
    }

    /// <summary>Nearest-rank percentile in milliseconds (NaN when empty).</summary>
    public double Percentile(double percent)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percent / 100 * Count));
        long seen = 0;
        foreach (var (bucket, count) in _buckets.OrderBy(b => b.Key))
        {
            seen += count;
            if (seen >= rank)
            {
                return Math.Min(Math.Pow(Growth, bucket) / 1000, MaxMilliseconds);
            }
        }

        return MaxMilliseconds;
    }

    /// <summary>"max;bucket:count,bucket:count…", for a worker's report line.</summary>
    public string Serialize() =>
        string.Create(CultureInfo.InvariantCulture, $"{MaxMilliseconds:R};{string.Join(',', _buckets.Select(b => $"{b.Key}:{b.Value}"))}");

    public static LatencyHistogram Deserialize(string text)
    {
        var histogram = new LatencyHistogram();
        var (max, buckets) = text.Split(';', 2) is [var m, var b] ? (m, b) : throw new FormatException($"Not a histogram: '{text}'.");
        histogram.MaxMilliseconds = double.Parse(max, CultureInfo.InvariantCulture);
        foreach (var pair in buckets.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var (bucket, count) = pair.Split(':') is [var k, var v] ? (int.Parse(k, CultureInfo.InvariantCulture), long.Parse(v, CultureInfo.InvariantCulture)) : throw new FormatException($"Not a bucket: '{pair}'.");
            histogram._buckets[bucket] = count;
            histogram.Count += count;
        }

        return histogram;
    }
}
