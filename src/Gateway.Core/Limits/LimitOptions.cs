namespace Gateway.Core.Limits;

/// <summary>
/// How many streams and publishes one instance accepts. Bound from <c>Gateway:Limits</c>; 0 turns a limit off.
/// Both hosts apply them in the shared endpoint code, so they hold on the Functions app as on the server.
/// </summary>
public sealed class LimitOptions
{
    public const string SectionName = "Gateway:Limits";

    /// <summary>Open streams on this instance; one more gets 503 with <c>Retry-After</c>.</summary>
    public int MaxStreams { get; set; } = 10_000;

    /// <summary>
    /// Open streams per client address on this instance; one more gets 429. Off by default: behind a proxy that is
    /// not configured as one, every client has the proxy's address, and this would become a limit for everyone.
    /// </summary>
    public int MaxStreamsPerClient { get; set; }

    /// <summary>
    /// Publishes per second per publisher (the token's <c>sub</c>, else the client address); past the burst, 429.
    /// Off by default, like <see cref="MaxStreamsPerClient"/>, and because the embedded server's own producers
    /// publish from one address.
    /// </summary>
    public int PublishPerSecond { get; set; }

    /// <summary>Publishes a publisher may make at once before <see cref="PublishPerSecond"/> applies (the token bucket's size).</summary>
    public int PublishBurst { get; set; } = 200;

    /// <summary>The <c>Retry-After</c> sent with a refused stream: when a slot is likely to be free again.</summary>
    public TimeSpan StreamRetryAfter { get; set; } = TimeSpan.FromSeconds(10);
}
