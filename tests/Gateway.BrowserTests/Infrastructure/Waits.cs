namespace Gateway.BrowserTests.Infrastructure;

/// <summary>Every wait in the browser tests is bounded by one of these, so a broken gateway or browser fails a test instead of hanging it.</summary>
public static class Waits
{
    public static readonly TimeSpan Startup = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan Request = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan Browser = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan Shutdown = TimeSpan.FromSeconds(20);

    /// <summary>Milliseconds, as Playwright's options take them.</summary>
    public static float Milliseconds(TimeSpan wait) => (float)wait.TotalMilliseconds;
}
