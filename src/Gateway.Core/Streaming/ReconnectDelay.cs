using Gateway.Core.Hub;
using Gateway.Core.Options;

namespace Gateway.Core.Streaming;

/// <summary>
/// The <c>retry:</c> a stream ends with. Ends that hit every stream of an instance at once — shutdown (restart,
/// deploy, scale-in) and failures (the log unreachable) — get a random delay in
/// [<see cref="StreamOptions.RetryInterval"/>, + <see cref="StreamOptions.ReconnectSpread"/>], so the clients come
/// back spread out instead of as one storm. Deadline ends are spread by their jittered deadlines already, and a slow
/// consumer or an expired token ends one stream alone, so they keep the plain interval.
/// </summary>
public static class ReconnectDelay
{
    /// <summary>The delay for a stream ended for <paramref name="reason"/>; null means a failure.</summary>
    public static TimeSpan For(StreamEndReason? reason, StreamOptions options)
    {
        if (reason is StreamEndReason.Deadline or StreamEndReason.SlowConsumer or StreamEndReason.TokenExpired || options.ReconnectSpread <= TimeSpan.Zero)
        {
            return options.RetryInterval;
        }

        // Whole milliseconds: the field carries milliseconds, and each value in the window is equally likely.
        var spread = (long)options.ReconnectSpread.TotalMilliseconds;
        return options.RetryInterval + TimeSpan.FromMilliseconds(Random.Shared.NextInt64(spread + 1));
    }

    /// <summary>The final <c>retry:</c> frame for a stream ended for <paramref name="reason"/> (null: a failure).</summary>
    public static byte[] Frame(StreamEndReason? reason, StreamOptions options) => SseFrames.Retry(For(reason, options));
}
