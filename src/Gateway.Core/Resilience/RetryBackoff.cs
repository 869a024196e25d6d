namespace Gateway.Core.Resilience;

/// <summary>
/// The gateway's one retry pacing: exponential from <c>first</c> (250 ms unless given) up to <c>longest</c>
/// (10 s unless given), with equal jitter — each wait is a random point in the upper half of its step — so
/// instances or writers that failed together do not retry in step; reset by a success. Waits run on the given
/// <see cref="TimeProvider"/>, so tests drive them with a fake clock.
/// </summary>
/// <remarks>
/// Hand-written rather than a Polly pipeline: the loops that use it retry forever, report each failure
/// (health, metrics, a log line with the next wait) and renew locks between attempts — state a retry strategy
/// would hide behind callbacks, for the sake of the dozen lines below.
/// </remarks>
public sealed class RetryBackoff(TimeProvider time, TimeSpan? first = null, TimeSpan? longest = null)
{
    private readonly TimeSpan _first = first ?? TimeSpan.FromMilliseconds(250);
    private readonly TimeSpan _longest = longest ?? TimeSpan.FromSeconds(10);

    private int _failures;
    private TimeSpan? _next;

    /// <summary>How many waits in a row since the last success.</summary>
    public int Failures => _failures;

    /// <summary>The next wait, fixed until it has been waited (so a log line can say it).</summary>
    public TimeSpan Next => _next ??= Jittered(Step(_failures));

    public void Reset()
    {
        _failures = 0;
        _next = null;
    }

    /// <summary>Waits <see cref="Next"/> and lengthens the step; false when the wait was cancelled (stopping).</summary>
    public async Task<bool> WaitAsync(CancellationToken cancellationToken)
    {
        var wait = Next;
        _failures++;
        _next = null;
        try
        {
            await Task.Delay(wait, time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private TimeSpan Step(int failures)
    {
        var step = _first * Math.Pow(2, Math.Min(failures, 30));
        return step < _longest ? step : _longest;
    }

    private static TimeSpan Jittered(TimeSpan step) => step / 2 + step / 2 * Random.Shared.NextDouble();
}
