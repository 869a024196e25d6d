namespace Gateway.Tests.Infrastructure;

/// <summary>Every wait in the tests is bounded by one of these, so a broken gateway fails a test instead of hanging it.</summary>
public static class Waits
{
    public static readonly TimeSpan Startup = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan Request = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan Item = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Shutdown = TimeSpan.FromSeconds(20);

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
            }

            await Task.Delay(20);
        }
    }
}
