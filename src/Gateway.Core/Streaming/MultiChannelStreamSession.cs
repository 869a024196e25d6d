using System.Net.ServerSentEvents;
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
/// Runs one SSE stream over several channels with one hub subscription and one queue. The mechanism is the single
/// channel's (<see cref="StreamSession"/>) per channel: subscribe first, replay what the client missed, then live,
/// delivering each channel's offsets in order and filling gaps from the log. Replay interleaves the channels by the
/// log's commit time; every event's id (<see cref="CompositePosition"/>) holds every channel's position.
/// </summary>
public sealed partial class MultiChannelStreamSession(
    EventHub hub,
    IEventLog log,
    IOptionsMonitor<StreamOptions> options,
    GatewayMetrics metrics,
    ILogger<MultiChannelStreamSession> logger)
{
    private static readonly Func<ILogger, string, string, IDisposable?> StreamScope =
        LoggerMessage.DefineScope<string, string>("Channels {Channels}, stream {StreamId}");

    // Replay and live delivery write without flushing until this much is buffered, then let backpressure apply.
    private const int FlushThresholdBytes = 16 * 1024;

    /// <summary>
    /// Streams <paramref name="channels"/> (distinct, valid, authorised) to the response until the deadline, shutdown,
    /// overflow or the client leaves; at <paramref name="notAfter"/> (the earliest token expiry) at the latest.
    /// </summary>
    public async Task RunAsync(HttpContext context, IReadOnlyList<string> channels, MultiChannelStart start, DateTimeOffset? notAfter = null)
    {
        var response = context.Response;
        var aborted = context.RequestAborted;
        SseResponse.Prepare(context);

        using var scope = StreamScope(logger, string.Join(',', channels), context.TraceIdentifier);
        using var subscription = hub.Subscribe(channels, notAfter);
        using var trace = StreamTrace.Start(channels);
        subscription.OnAbort(context.Abort);
        subscription.BeginCatchUp();
        metrics.StreamOpened();
        var retry = ReconnectDelay.OpeningFrame(options.CurrentValue);
        var output = new StreamOutput(response.BodyWriter, subscription, aborted);
        var cursors = new MultiChannelCursors(channels);
        try
        {
            // The heads are read before the stream shows itself open, as for one channel: an event published once the
            // client sees the stream open comes after them.
            var heads = await Task.WhenAll(channels.Select(c => log.GetHeadAsync(c, aborted)));
            await PlaceAsync(cursors, heads, start, aborted);
            StartPositionHeader.Set(response, start.Position is { } resumed
                ? CompositePosition.Format(null, resumed.ListHash, resumed.Positions)
                : cursors.Id(null));
            output.Write(retry);
            output.Write(SseFrames.Opened.Span);
            if (start.Kind == MultiChannelStartKind.Mismatch)
            {
                WriteReset(output, cursors, null, ResetReason.ChannelsMismatch, start.Requested!);
            }

            if (!await output.FlushAsync())
            {
                return;
            }

            await ReplayAsync(output, cursors, aborted);
            SettleStart(output, cursors, heads);
            if (!await output.FlushAsync())
            {
                return;
            }

            // Live events dropped while the backlog was written are read from the log, until the queue kept up.
            while (!subscription.IsEnded && !subscription.TryGoLive())
            {
                metrics.GapFilled();
                await ReplayAsync(output, cursors, aborted);
                if (!await output.FlushAsync())
                {
                    return;
                }
            }

            if (!await LiveAsync(output, subscription, cursors, trace, aborted))
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
            LogEnded(reason);

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

    /// <summary>Places every cursor where its channel starts, with the reset it owes when the id cannot be followed exactly.</summary>
    private async Task PlaceAsync(MultiChannelCursors cursors, LogHead[] heads, MultiChannelStart start, CancellationToken aborted)
    {
        var fromOldest = start.Kind is MultiChannelStartKind.Earliest or MultiChannelStartKind.Mismatch;
        var oldest = fromOldest
            ? await Task.WhenAll(cursors.All.Select(c => heads[c.Index].Exists ? log.GetOldestOffsetAsync(c.Channel, aborted) : Task.FromResult<long?>(null)))
            : null;
        foreach (var cursor in cursors.All)
        {
            var head = heads[cursor.Index];
            cursor.Epoch = head.Epoch;
            cursor.Last = head.Offset;
            if (oldest is not null)
            {
                // Just before the oldest retained event, so the replay starts there without a 'pruned' reset.
                cursor.Last = oldest[cursor.Index] is { } first ? first - 1 : head.Offset;
            }
            else if (start.Position is { } position)
            {
                var seen = position.Positions[cursor.Index];
                if (seen.Epoch is null)
                {
                    // The client saw no log for this channel: whatever the log holds now is new to it.
                    cursor.Last = 0;
                }
                else if (!head.Exists || seen.Epoch != head.Epoch)
                {
                    cursor.StartFromOldest(ResetReason.StaleEpoch, seen.ToString());
                }
                else if (seen.Offset > head.Offset)
                {
                    cursor.StartFromOldest(ResetReason.AheadOfHead, seen.ToString());
                }
                else
                {
                    cursor.Last = seen.Offset;
                }
            }
        }
    }

    /// <summary>After the first replay: the resets still owed, and channels whose events up to the head were all pruned.</summary>
    private void SettleStart(StreamOutput output, MultiChannelCursors cursors, LogHead[] heads)
    {
        foreach (var cursor in cursors.All)
        {
            var head = heads[cursor.Index];
            if (cursor.PendingReset is { } pending)
            {
                // Nothing retained to continue from: the reset points at the head.
                cursor.Last = head.Offset;
                cursor.PendingReset = null;
                WriteReset(output, cursors, cursor, pending.Reason, pending.Requested);
            }
            else if (cursor.Epoch is not null && cursor.Epoch == head.Epoch && cursor.Last < head.Offset)
            {
                var before = cursor.Position.ToString();
                cursor.Last = head.Offset;
                WriteReset(output, cursors, cursor, ResetReason.Pruned, before);
            }
        }
    }

    /// <summary>
    /// Writes every channel's retained events after its cursor, merged by commit time (the channel's order in the list
    /// breaks ties); never reorders one channel's events. A channel whose log changes epoch meanwhile stops here; the
    /// live path notices and resets it.
    /// </summary>
    private async Task ReplayAsync(StreamOutput output, MultiChannelCursors cursors, CancellationToken aborted)
    {
        var readers = cursors.All.Select(c => log.ReadAfterAsync(c.Channel, c.Last, aborted).GetAsyncEnumerator(aborted)).ToArray();
        try
        {
            // One event per channel waits here; the first reads of every channel go out together.
            var next = new ChannelEvent?[readers.Length];
            var moved = await Task.WhenAll(readers.Select(r => r.MoveNextAsync().AsTask()));
            for (var i = 0; i < readers.Length; i++)
            {
                next[i] = moved[i] ? readers[i].Current : null;
            }

            while (Earliest(next) is { } i)
            {
                var e = next[i]!;
                var cursor = cursors.All[i];
                if (cursor.Epoch is null)
                {
                    cursor.Epoch = e.Epoch;
                }
                else if (e.Epoch != cursor.Epoch)
                {
                    next[i] = null;
                    continue;
                }

                if (e.Offset > cursor.Last)
                {
                    WriteEvent(output, cursors, cursor, e);
                    metrics.EventReplayed();
                    if (output.Unflushed >= FlushThresholdBytes && !await output.FlushAsync())
                    {
                        throw new OperationCanceledException(aborted);
                    }
                }

                next[i] = await readers[i].MoveNextAsync() ? readers[i].Current : null;
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }
        }
    }

    private static int? Earliest(ChannelEvent?[] next)
    {
        int? earliest = null;
        for (var i = 0; i < next.Length; i++)
        {
            if (next[i] is { } e && (earliest is not { } best || e.Time < next[best]!.Time))
            {
                earliest = i;
            }
        }

        return earliest;
    }

    /// <summary>Writes live events until the hub ends the subscription (true) or the client leaves (false).</summary>
    private async Task<bool> LiveAsync(StreamOutput output, HubSubscription subscription, MultiChannelCursors cursors, StreamTrace? trace, CancellationToken aborted)
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
                if (signal is { Head: { } head, HeadChannel: { } headChannel })
                {
                    await FollowHeadAsync(output, cursors, headChannel, head, aborted);
                }
                else
                {
                    output.Write(SseFrames.Heartbeat.Span);
                }

                continue;
            }

            if (cursors.Of(e.Channel) is not { } cursor)
            {
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

                var old = cursor.Position.ToString();
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
                await FillGapAsync(output, cursors, cursor, e.Offset, aborted);
                if (e.Offset <= cursor.Last)
                {
                    continue;
                }

                // The log ends before this offset: not a committed event (a forged or corrupt fan-out message). Only
                // offsets the log confirms move the stream, or the real events up to this one would be dropped.
                LogUnconfirmed(e.Channel, e.Offset, cursor.Last);
                continue;
            }

            WriteEvent(output, cursors, cursor, e);
            metrics.EventDelivered();
            trace?.Delivered(e);

            // Bound what a burst copies into this client's response buffer, as for one channel.
            if (output.Unflushed >= FlushThresholdBytes && !await output.FlushAsync())
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The hub read a channel's head because no live event came for a while: what this stream has not seen up to it
    /// lost its fan-out copy on the way here, so it comes from the log.
    /// </summary>
    private async Task FollowHeadAsync(StreamOutput output, MultiChannelCursors cursors, string channel, LogHead head, CancellationToken aborted)
    {
        if (cursors.Of(channel) is not { } cursor)
        {
            return;
        }

        if (cursor.Epoch is not null && head.Epoch != cursor.Epoch)
        {
            // The log was re-created (the head is the log's own word, unlike a live event's epoch).
            var old = cursor.Position.ToString();
            cursor.Epoch = head.Epoch;
            cursor.StartFromOldest(ResetReason.StaleEpoch, old);
        }
        else if (head.Offset <= cursor.Last)
        {
            return;
        }

        metrics.GapFilled();
        await FillGapAsync(output, cursors, cursor, head.Offset, aborted);
    }

    /// <summary>Writes one channel's events from the log after its cursor, up to <paramref name="upTo"/>.</summary>
    private async Task FillGapAsync(StreamOutput output, MultiChannelCursors cursors, MultiChannelCursor cursor, long upTo, CancellationToken aborted)
    {
        await foreach (var e in log.ReadAfterAsync(cursor.Channel, cursor.Last, aborted))
        {
            if (e.Epoch != cursor.Epoch)
            {
                break;
            }

            WriteEvent(output, cursors, cursor, e);
            metrics.EventReplayed();
            if (output.Unflushed >= FlushThresholdBytes && !await output.FlushAsync())
            {
                throw new OperationCanceledException(aborted);
            }

            if (e.Offset >= upTo)
            {
                break;
            }
        }
    }

    /// <summary>Writes an event in its channel's order, first saying so with a reset if the log cannot give what came before it.</summary>
    private void WriteEvent(StreamOutput output, MultiChannelCursors cursors, MultiChannelCursor cursor, ChannelEvent e)
    {
        if (cursor.PendingReset is { } pending)
        {
            cursor.Last = e.Offset - 1;
            cursor.PendingReset = null;
            WriteReset(output, cursors, cursor, pending.Reason, pending.Requested);
        }
        else if (e.Offset > cursor.Last + 1)
        {
            var before = cursor.Position.ToString();
            cursor.Last = e.Offset - 1;
            WriteReset(output, cursors, cursor, ResetReason.Pruned, before);
        }

        cursor.Last = e.Offset;
        output.Write(MultiChannelFrames.IdLine(cursors.Id(cursor.Index)));
        output.Write(MultiChannelFrames.BodyOf(e).Span);
    }

    /// <summary>
    /// Writes a reset about <paramref name="cursor"/>'s channel (null: about every channel, <c>channels-mismatch</c>);
    /// <paramref name="requested"/> is the client's position for the channel, or its whole id when the reset concerns every channel.
    /// </summary>
    private void WriteReset(StreamOutput output, MultiChannelCursors cursors, MultiChannelCursor? cursor, string reason, string requested)
    {
        metrics.ResetSent(reason);
        var resumeAfter = cursors.Id(cursor?.Index);
        LogReset(reason, cursor?.Channel, requested, resumeAfter);
        var data = JsonSerializer.SerializeToUtf8Bytes(
            new MultiChannelResetData(reason, cursor?.Channel, requested, resumeAfter), MultiChannelResetDataContext.Default.MultiChannelResetData);

        // The reset carries the id to resume after, so a client that reconnects right away is not reset again.
        output.Write(SseFrames.Encode(new SseItem<ReadOnlyMemory<byte>>(data, SseFrames.ResetEventName) { EventId = resumeAfter }));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream reset ({Reason}) of channel {Channel}: client asked after {Requested}, continuing after {ResumeAfter}")]
    private partial void LogReset(string reason, string? channel, string requested, string resumeAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a live event of {Channel} at offset {Offset}: the log ends at {LogEnd}, so it is not a committed event")]
    private partial void LogUnconfirmed(string channel, long offset, long logEnd);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream failed; ended it with a retry hint")]
    private partial void LogFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream ended ({Reason})")]
    private partial void LogEnded(StreamEndReason reason);
}
