namespace Gateway.Testing;

/// <summary>
/// Every wait in the tests is bounded by one of these, so a broken gateway, store or browser fails a test instead of
/// hanging it. They are upper bounds, never performance assertions: generous, because the build machines are small
/// and busy.
/// </summary>
public static class Waits
{
    /// <summary>An in-process host or a fixture (Azurite, chromium) starting.</summary>
    public static readonly TimeSpan Startup = TimeSpan.FromSeconds(30);

    /// <summary>A child process (a fresh runtime that JITs the whole server) starting until it is healthy.</summary>
    public static readonly TimeSpan ProcessStartup = TimeSpan.FromSeconds(60);

    /// <summary>One HTTP request (for a stream: until its response headers).</summary>
    public static readonly TimeSpan Request = TimeSpan.FromSeconds(20);

    /// <summary>One item: the next SSE event or frame, a log reaching an offset, a condition becoming true.</summary>
    public static readonly TimeSpan Item = TimeSpan.FromSeconds(15);

    /// <summary>A host stopping (streams end cleanly first).</summary>
    public static readonly TimeSpan Shutdown = TimeSpan.FromSeconds(20);

    /// <summary>One browser action or wait (Playwright).</summary>
    public static readonly TimeSpan Browser = TimeSpan.FromSeconds(20);

    /// <summary>A whole test's work against a store.</summary>
    public static readonly TimeSpan Test = TimeSpan.FromSeconds(60);

    /// <summary>A token cancelled after <see cref="Test"/>, for the calls of one test.</summary>
    public static CancellationToken ForTest() => new CancellationTokenSource(Test).Token;

    /// <summary>Milliseconds, as Playwright's options take them.</summary>
    public static float Milliseconds(TimeSpan wait) => (float)wait.TotalMilliseconds;

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after <paramref name="timeout"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Polls an asynchronous <paramref name="condition"/> until it holds, failing after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
            }

            await Task.Delay(20);
        }
    }
}
