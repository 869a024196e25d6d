using Gateway.Core.Hub;
using Gateway.Core.Options;

namespace Gateway.Core.Streaming;

/// <summary>
/// The <c>retry:</c> values a stream sends. Two kinds of end hit every stream of an instance at once, so their delay is
/// drawn at random from [<see cref="StreamOptions.RetryInterval"/>, + <see cref="StreamOptions.ReconnectSpread"/>] and
/// the clients come back spread out instead of as one storm:
/// <list type="bullet">
/// <item>shutdown (restart, deploy, scale-in) and failures (the log unreachable), which end with a final <c>retry:</c>;</item>
/// <item>a crash, which ends every stream without one: the client then waits the <c>retry:</c> its stream opened with,
/// so that opening value is spread too.</item>
/// </list>
/// Deadline ends are spread by their jittered deadlines already, and a slow consumer or an expired token ends one
/// stream alone, so they end with the plain interval (which also replaces the spread opening value for the next break).
/// </summary>
public static class ReconnectDelay
{
    /// <summary>The delay for a stream ended for <paramref name="reason"/>; null means a failure.</summary>
    public static TimeSpan For(StreamEndReason? reason, StreamOptions options) => For(reason, options, Random.Shared);

    /// <summary>As <see cref="For(StreamEndReason?, StreamOptions)"/>, drawing from <paramref name="random"/>.</summary>
    public static TimeSpan For(StreamEndReason? reason, StreamOptions options, Random random) =>
        reason is StreamEndReason.Deadline or StreamEndReason.SlowConsumer or StreamEndReason.TokenExpired
            ? options.RetryInterval
            : Spread(options, random);

    /// <summary>The delay a stream opens with: what its client waits if the stream breaks without an end (a crash).</summary>
    public static TimeSpan Opening(StreamOptions options, Random random) => Spread(options, random);

    /// <summary>The final <c>retry:</c> frame for a stream ended for <paramref name="reason"/> (null: a failure).</summary>
    public static byte[] Frame(StreamEndReason? reason, StreamOptions options) => SseFrames.Retry(For(reason, options));

    /// <summary>The opening <c>retry:</c> frame of a stream.</summary>
    public static byte[] OpeningFrame(StreamOptions options) => SseFrames.Retry(Opening(options, Random.Shared));

    private static TimeSpan Spread(StreamOptions options, Random random)
    {
        if (options.ReconnectSpread <= TimeSpan.Zero)
        {
            return options.RetryInterval;
        }

        // Whole milliseconds: the field carries milliseconds, and each value in the window is equally likely.
        var spread = (long)options.ReconnectSpread.TotalMilliseconds;
        return options.RetryInterval + TimeSpan.FromMilliseconds(random.NextInt64(spread + 1));
    }
}
