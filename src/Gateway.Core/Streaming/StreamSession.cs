using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Gateway.Core.Events;
using Gateway.Core.Hub;
using Gateway.Core.Log;
using Gateway.Core.Options;
using Gateway.Core.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Core.Streaming;

/// <summary>
/// Runs one SSE stream: subscribe to the hub first, replay what the client missed from the log, then go
/// live. Live delivery and replay are one mechanism — deliver offsets in order; an offset already sent is
/// dropped, a gap is filled from the log — so the hand-over has no gap and no duplicate.
/// </summary>
public sealed partial class StreamSession(
    EventHub hub,
    IEventLog log,
    IOptionsMonitor<StreamOptions> options,
    GatewayMetrics metrics,
    ILogger<StreamSession> logger)
{
    // A precompiled scope: cheaper per stream than a dictionary, with the same structured fields.
    private static readonly Func<ILogger, string, string, IDisposable?> StreamScope =
        LoggerMessage.DefineScope<string, string>("Channel {Channel}, stream {StreamId}");

    // Replay and live delivery write without flushing until this much is buffered, then let backpressure apply.
    private const int FlushThresholdBytes = 16 * 1024;

    /// <summary>
    /// Streams <paramref name="channel"/> to the response until the deadline, shutdown, overflow or the client leaves;
    /// at <paramref name="notAfter"/> (the client's token expiry) at the latest. <paramref name="fromEarliest"/> (the
    /// client sent <c>earliest</c>) starts from the oldest retained event, without a reset.
    /// </summary>
    public async Task RunAsync(HttpContext context, string channel, EventPosition? lastSeen, DateTimeOffset? notAfter = null, bool fromEarliest = false)
    {
        var response = context.Response;
        var aborted = context.RequestAborted;
        SseResponse.Prepare(context);

        using var scope = StreamScope(logger, channel, context.TraceIdentifier);
        using var subscription = hub.Subscribe(channel, notAfter);
        using var trace = StreamTrace.Start([channel]);
        subscription.OnAbort(context.Abort);
        subscription.BeginCatchUp();
        metrics.StreamOpened();
        var retry = ReconnectDelay.OpeningFrame(options.CurrentValue);
        var output = new StreamOutput(response.BodyWriter, subscription, aborted);
        try
        {
            // Read the head before the stream shows itself open: an event a client publishes once it sees the
            // stream open must come after this head, or a new client would count it as past and never get it.
            var head = await log.GetHeadAsync(channel, aborted);
            if (fromEarliest && head.Exists)
            {
                // Just before the oldest retained event, so the replay starts there without a 'pruned' reset.
                var oldest = await log.GetOldestOffsetAsync(channel, aborted);
                lastSeen = new EventPosition(head.Epoch!, oldest is { } first ? first - 1 : head.Offset);
            }

            StartPositionHeader.Set(response, lastSeen?.ToString() ?? (head.Exists ? new EventPosition(head.Epoch!, head.Offset).ToString() : null));
            output.Write(retry);
            output.Write(SseFrames.Opened.Span);
            if (!await output.FlushAsync())
            {
                return;
            }

            var cursor = await StartAsync(output, channel, head, lastSeen, aborted);
            if (cursor is null || !await output.FlushAsync())
            {
                return;
            }

            // Live events dropped while the backlog was written are read from the log, until the queue kept up.
            while (!subscription.IsEnded && !subscription.TryGoLive())
            {
                metrics.GapFilled();
                await CatchUpAsync(output, cursor, upTo: null, aborted);
                if (!await output.FlushAsync())
                {
                    return;
                }
            }

            if (!await LiveAsync(output, subscription, cursor, trace, aborted))
            {
                return;
            }

            var reason = subscription.EndReason;
            metrics.StreamEnded(reason switch
            {
                StreamEndReason.Deadline => "deadline",
                StreamEndReason.Shutdown => "shutdown",
                StreamEndReason.SlowConsumer => "slow_consumer",
                StreamEndReason.TokenExpired => "token_expired",
                _ => "other",
            });
            LogEnded(reason, cursor.Last);

            // The clean end: tell the client when to come back (spread out after a shutdown), then complete the response.
            output.Write(ReconnectDelay.Frame(reason, options.CurrentValue));
            await output.FlushAsync();
        }
        catch (OperationCanceledException)
        {
            // The client left; nothing to end.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // E.g. the log is unreachable: end the stream so the client retries after the interval.
            LogFailed(ex);
            output.Write(ReconnectDelay.Frame(null, options.CurrentValue));
            try
            {
                await output.FlushAsync();
            }
            catch (Exception)
            {
                // The client is gone too.
            }
        }
        finally
        {
            metrics.StreamClosed();
        }
    }

    /// <summary>Decides where the stream starts and replays from the log up to now.</summary>
    private async Task<Cursor?> StartAsync(StreamOutput output, string channel, LogHead head, EventPosition? lastSeen, CancellationToken aborted)
    {
        // A new client starts at the head: live events only.
        var cursor = new Cursor(channel, head.Epoch, head.Offset);
        if (lastSeen is not { } seen)
        {
            return cursor;
        }

        if (!head.Exists || seen.Epoch != head.Epoch)
        {
            cursor.StartFromOldest(ResetReason.StaleEpoch, seen);
        }
        else if (seen.Offset > head.Offset)
        {
            cursor.StartFromOldest(ResetReason.AheadOfHead, seen);
        }
        else
        {
            cursor.Last = seen.Offset;
        }

        await CatchUpAsync(output, cursor, upTo: null, aborted);

        if (cursor.PendingReset is { } pending)
        {
            // Nothing retained to continue from: the reset points at the head.
            cursor.Last = head.Offset;
            WritePendingReset(output, cursor, pending);
        }
        else if (cursor.Last < head.Offset)
        {
            // Everything up to the head we read was pruned: say so, then carry on from the head.
            cursor.Last = head.Offset;
            WriteReset(output, cursor, ResetReason.Pruned, seen);
        }

        return cursor;
    }

    /// <summary>Writes live events until the hub ends the subscription (true) or the client leaves (false).</summary>
    private async Task<bool> LiveAsync(StreamOutput output, HubSubscription subscription, Cursor cursor, StreamTrace? trace, CancellationToken aborted)
    {
        var reader = subscription.Reader;
        while (true)
        {
            if (!reader.TryRead(out var signal))
            {
                if (!await output.FlushAsync())
                {
                    return false;
                }

                if (!await reader.WaitToReadAsync(aborted))
                {
                    return true;
                }

                continue;
            }

            if (subscription.IsEnded)
            {
                return true;
            }

            if (signal.Event is not { } e)
            {
                if (signal.Head is { } head)
                {
                    await FollowHeadAsync(output, cursor, head, aborted);
                }
                else
                {
                    output.Write(SseFrames.Heartbeat.Span);
                }

                continue;
            }

            if (cursor.Epoch is null)
            {
                // The channel's log was created after this stream started.
                cursor.Epoch = e.Epoch;
            }
            else if (e.Epoch != cursor.Epoch)
            {
                // Either the log was re-created under us, or this is a late copy from the old log: the log decides.
                var head = await log.GetHeadAsync(cursor.Channel, aborted);
                if (head.Epoch != e.Epoch)
                {
                    continue;
                }

                var old = new EventPosition(cursor.Epoch, cursor.Last);
                cursor.Epoch = e.Epoch;
                cursor.StartFromOldest(ResetReason.StaleEpoch, old);
            }

            if (e.Offset <= cursor.Last)
            {
                continue;
            }

            if (e.Offset > cursor.Last + 1)
            {
                metrics.GapFilled();
                await CatchUpAsync(output, cursor, upTo: e.Offset, aborted);
                if (e.Offset <= cursor.Last)
                {
                    continue;
                }

                // The log ends before this offset: the event is not in it (a forged or corrupt fan-out message). Only
                // offsets the log confirms move the stream, or the real events up to this one would be dropped.
                LogUnconfirmed(e.Offset, cursor.Last);
                continue;
            }

            WriteEvent(output, cursor, e);
            metrics.EventDelivered();
            trace?.Delivered(e);

            // Bound what a burst copies into this client's response buffer: past the threshold, flush and let
            // backpressure hold the rest in the bounded queue, where overflow ends a client that stopped reading.
            if (output.Unflushed >= FlushThresholdBytes && !await output.FlushAsync())
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The hub read the log's head because no live event came for a while: whatever this stream has not seen up to it
    /// lost its fan-out copy on the way here, so it comes from the log.
    /// </summary>
    private async Task FollowHeadAsync(StreamOutput output, Cursor cursor, LogHead head, CancellationToken aborted)
    {
        if (cursor.Epoch is not null && head.Epoch != cursor.Epoch)
        {
            // The log was re-created (the head is the log's own word, unlike a live event's epoch).
            var old = new EventPosition(cursor.Epoch, cursor.Last);
            cursor.Epoch = head.Epoch;
            cursor.StartFromOldest(ResetReason.StaleEpoch, old);
        }
        else if (head.Offset <= cursor.Last)
        {
            return;
        }

        LogBehindHead(cursor.Last, head.Offset);
        metrics.GapFilled();
        await CatchUpAsync(output, cursor, upTo: head.Offset, aborted);
    }

    /// <summary>Writes the log's events after the cursor, up to <paramref name="upTo"/> when given.</summary>
    private async Task CatchUpAsync(StreamOutput output, Cursor cursor, long? upTo, CancellationToken aborted)
    {
        await foreach (var e in log.ReadAfterAsync(cursor.Channel, cursor.Last, aborted))
        {
            if (cursor.Epoch is null)
            {
                cursor.Epoch = e.Epoch;
            }
            else if (e.Epoch != cursor.Epoch)
            {
                // Re-created while we read; the live path notices and resets.
                break;
            }

            WriteEvent(output, cursor, e);
            metrics.EventReplayed();
            if (output.Unflushed >= FlushThresholdBytes && !await output.FlushAsync())
            {
                throw new OperationCanceledException(aborted);
            }

            if (upTo is { } limit && e.Offset >= limit)
            {
                break;
            }
        }
    }

    /// <summary>Writes an event in order, first saying so with a reset if the log cannot give what came before it.</summary>
    private void WriteEvent(StreamOutput output, Cursor cursor, ChannelEvent e)
    {
        if (cursor.PendingReset is { } pending)
        {
            cursor.Last = e.Offset - 1;
            WritePendingReset(output, cursor, pending);
        }
        else if (e.Offset > cursor.Last + 1)
        {
            var before = new EventPosition(e.Epoch, cursor.Last);
            cursor.Last = e.Offset - 1;
            WriteReset(output, cursor, ResetReason.Pruned, before);
        }

        output.Write(SseFrames.FrameOf(e).Span);
        cursor.Last = e.Offset;
    }

    private void WritePendingReset(StreamOutput output, Cursor cursor, PendingReset pending)
    {
        cursor.PendingReset = null;
        WriteReset(output, cursor, pending.Reason, pending.Requested);
    }

    private void WriteReset(StreamOutput output, Cursor cursor, string reason, EventPosition requested)
    {
        metrics.ResetSent(reason);
        LogReset(reason, requested.ToString(), cursor.Last);
        var resumeAfter = cursor.Epoch is null ? null : new EventPosition(cursor.Epoch, cursor.Last).ToString();
        var data = JsonSerializer.SerializeToUtf8Bytes(new ResetData(reason, requested.ToString(), resumeAfter), ResetDataContext.Default.ResetData);

        // The reset carries the id to resume after, so a client that reconnects right away is not reset again.
        var item = new System.Net.ServerSentEvents.SseItem<ReadOnlyMemory<byte>>(data, SseFrames.ResetEventName) { EventId = resumeAfter };
        output.Write(SseFrames.Encode(item));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream reset ({Reason}): client asked after {Requested}, continuing after offset {Offset}")]
    private partial void LogReset(string reason, string requested, long offset);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream at offset {Offset} is behind the log's head {Head} with no live event on the way; reading from the log")]
    private partial void LogBehindHead(long offset, long head);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a live event at offset {Offset}: the log ends at {LogEnd}, so it is not a committed event")]
    private partial void LogUnconfirmed(long offset, long logEnd);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream failed; ended it with a retry hint")]
    private partial void LogFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream ended ({Reason}) after offset {Offset}")]
    private partial void LogEnded(StreamEndReason reason, long offset);

    private sealed class Cursor(string channel, string? epoch, long last)
    {
        public string Channel { get; } = channel;

        public string? Epoch { get; set; } = epoch;

        public long Last { get; set; } = last;

        /// <summary>A reset to send once the first retained event (the one the stream continues from) is known.</summary>
        public PendingReset? PendingReset { get; set; }

        public void StartFromOldest(string reason, EventPosition requested)
        {
            Last = 0;
            PendingReset = new PendingReset(reason, requested);
        }
    }

    private sealed record PendingReset(string Reason, EventPosition Requested);
}

internal sealed record ResetData(string Reason, string LastEventId, string? ResumeAfter);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ResetData))]
internal sealed partial class ResetDataContext : System.Text.Json.Serialization.JsonSerializerContext;
