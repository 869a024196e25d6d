namespace Gateway.Azure.ServiceBus;

/// <summary>
/// Exponential back-off between attempts of a receive loop (250 ms doubling to 10 s), reset by a success. The
/// Service Bus client has already retried by the time a call throws, so this only paces a longer outage.
/// </summary>
internal sealed class RetryBackoff(TimeProvider time)
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(10);

    public TimeSpan Next { get; private set; } = First;

    public void Reset() => Next = First;

    /// <summary>Waits <see cref="Next"/> and doubles it; false when the wait was cancelled (stopping).</summary>
    public async Task<bool> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Next, time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            Next = Next * 2 < Longest ? Next * 2 : Longest;
        }
    }
}
