using Gateway.Core.Log;

namespace Gateway.Core.Hub;

/// <summary>
/// What the hub knows about one followed channel between its live events: when the last one (or the first stream)
/// arrived, when its log's head was last checked, and the head that check found. A channel that stays quiet for
/// longer than <see cref="Options.StreamOptions.HeadCheckInterval"/> has its head checked (<see cref="LogHeadWatch"/>),
/// so a fan-out copy that never arrives is read from the log within that bound instead of at the next event.
/// </summary>
internal sealed class ChannelActivity(DateTimeOffset since)
{
    private long _lastSeenTicks = since.UtcTicks;
    private int _checking;

    /// <summary>The head the last check found; a check that finds the same head wakes nobody.</summary>
    public LogHead CheckedHead { get; set; }

    /// <summary>A live event arrived (or a check started): the channel is not quiet from <paramref name="now"/>.</summary>
    public void Seen(DateTimeOffset now) => Volatile.Write(ref _lastSeenTicks, now.UtcTicks);

    public bool IsQuiet(DateTimeOffset now, TimeSpan interval) => now.UtcTicks - Volatile.Read(ref _lastSeenTicks) >= interval.Ticks;

    /// <summary>False while a check of this channel is still running: one head read at a time per channel.</summary>
    public bool TryBeginCheck(DateTimeOffset now)
    {
        if (Interlocked.CompareExchange(ref _checking, 1, 0) != 0)
        {
            return false;
        }

        Seen(now);
        return true;
    }

    public void EndCheck() => Volatile.Write(ref _checking, 0);

    /// <summary>True while a head read of this channel runs.</summary>
    public bool IsChecking => Volatile.Read(ref _checking) == 1;
}
