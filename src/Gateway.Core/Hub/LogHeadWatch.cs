using Gateway.Core.Log;
using Gateway.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Core.Hub;

/// <summary>
/// Bounds how long a lost fan-out copy (its subscription deleted and re-created, the copy expired or dead-lettered, the
/// send failed after the append) keeps this instance's streams waiting. Driven by the hub's shared tick: a channel with
/// streams here that had no live event for <see cref="StreamOptions.HeadCheckInterval"/> gets one head read (per
/// channel, not per stream); if the head moved since the last read, the hub tells the channel's streams and those
/// behind it read the rest from the log (the same gap fill a live event ahead of the cursor triggers).
/// </summary>
public sealed partial class LogHeadWatch(EventHub hub, IEventLog log, IOptionsMonitor<StreamOptions> options, TimeProvider time, ILogger<LogHeadWatch> logger)
{
    /// <summary>Starts a head read for every quiet channel that has none running; returns at once.</summary>
    public void Tick(CancellationToken cancellationToken)
    {
        var interval = options.CurrentValue.HeadCheckInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var (channel, activity) in hub.Activity)
        {
            if (activity.IsQuiet(now, interval) && activity.TryBeginCheck(now))
            {
                _ = CheckAsync(channel, activity, cancellationToken);
            }
        }
    }

    /// <summary>Reads one channel's head and hands it to the hub; a failed read is tried again an interval later.</summary>
    internal async Task CheckAsync(string channel, ChannelActivity activity, CancellationToken cancellationToken)
    {
        try
        {
            // Off the tick's thread: the tick must not wait for storage.
            await Task.Yield();
            var head = await log.GetHeadAsync(channel, cancellationToken);
            var before = activity.CheckedHead;
            if (hub.HeadRead(channel, head) && before.Exists)
            {
                LogHeadMoved(channel, head.Offset, before.Offset);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogCheckFailed(ex, channel);
        }
        finally
        {
            activity.EndCheck();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The log of {Channel} moved to offset {Offset} (from {Previous}) without a live event reaching this instance; its streams read the rest from the log")]
    private partial void LogHeadMoved(string channel, long offset, long previous);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the log's head of {Channel} failed; trying again later")]
    private partial void LogCheckFailed(Exception exception, string channel);
}
