using System.Diagnostics;
using System.Globalization;

namespace Gateway.Benchmarks.ServiceBus;

/// <summary>
/// One measured phase: when each of <paramref name="count"/> messages was sent and first received (Stopwatch
/// timestamps, one process), and how many arrived again. Bodies carry the phase and sequence (<see cref="Body"/>),
/// so a straggler of another phase is never counted here.
/// </summary>
internal sealed class DeliveryRecorder(int phase, int count)
{
    private readonly long[] _sent = new long[count];
    private readonly long[] _received = new long[count];
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _receivedCount;
    private int _duplicates;

    public int Count => count;

    public string Body(int sequence) => string.Create(CultureInfo.InvariantCulture, $"{phase}:{sequence}");

    public void Sent(int sequence, long timestamp) => _sent[sequence] = timestamp;

    public void Received(string body, long timestamp)
    {
        var colon = body.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0
            || !int.TryParse(body.AsSpan(0, colon), CultureInfo.InvariantCulture, out var bodyPhase) || bodyPhase != phase
            || !int.TryParse(body.AsSpan(colon + 1), CultureInfo.InvariantCulture, out var sequence) || (uint)sequence >= (uint)count)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _received[sequence], timestamp, 0) != 0)
        {
            Interlocked.Increment(ref _duplicates);
        }
        else if (Interlocked.Increment(ref _receivedCount) == count)
        {
            _all.TrySetResult();
        }
    }

    public async Task AllReceivedAsync(TimeSpan timeout)
    {
        try
        {
            await _all.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Phase {phase}: {Volatile.Read(ref _receivedCount)} of {count} messages arrived within {timeout.TotalSeconds:0} s.");
        }
    }

    public DeliveryFigures Figures()
    {
        var latencies = _sent.Zip(_received, (s, r) => Stopwatch.GetElapsedTime(s, r).TotalMilliseconds).Order().ToArray();
        var elapsed = Stopwatch.GetElapsedTime(_sent.Min(), _received.Max());
        return new DeliveryFigures(
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.90),
            Percentile(latencies, 0.99),
            latencies[^1],
            count / elapsed.TotalSeconds,
            Volatile.Read(ref _duplicates));
    }

    // Nearest rank.
    private static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
