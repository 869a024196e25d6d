namespace Gateway.Core.Bus;

/// <summary>
/// Exponential back-off between attempts of an ingest or receive loop (doubling from <c>first</c>, 250 ms unless
/// given, to 10 s), reset by a success. Clients have already retried by the time a call throws, so this only
/// paces a longer outage.
/// </summary>
public sealed class RetryBackoff(TimeProvider time, TimeSpan? first = null)
{
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(10);
    private readonly TimeSpan _first = first ?? TimeSpan.FromMilliseconds(250);

    private TimeSpan? _next;

    public TimeSpan Next => _next ?? _first;

    public void Reset() => _next = null;

    /// <summary>Waits <see cref="Next"/> and doubles it; false when the wait was cancelled (stopping).</summary>
    public async Task<bool> WaitAsync(CancellationToken cancellationToken)
    {
        var wait = Next;
        _next = wait * 2 < Longest ? wait * 2 : Longest;
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
}
