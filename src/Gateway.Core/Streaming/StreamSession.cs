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
/// Runs one SSE stream over one or several channels: subscribe to the hub first, replay what the client missed from the
/// log, then go live. Live delivery and replay are one mechanism per channel — deliver its offsets in order; an offset
/// already sent is dropped, a gap is filled from the log — so the hand-over has no gap and no duplicate. Replay over
/// several channels interleaves them by the log's commit time; the frames' ids are the <see cref="StreamCursors"/>' own.
/// </summary>
public sealed partial class StreamSession(
    EventHub hub,
    IEventLog log,
    IOptionsMonitor<StreamOptions> options,
    GatewayMetrics metrics,
    ILogger<StreamSession> logger,
    IOptionsMonitor<LoggerFilterOptions> logging)
{
    // Precompiled scopes: cheaper per stream than a dictionary, with the same structured fields.
    private static readonly Func<ILogger, string, string, IDisposable?> ChannelScope =
        LoggerMessage.DefineScope<string, string>("Channel {Channel}, stream {StreamId}");

    private static readonly Func<ILogger, string, string, IDisposable?> ChannelsScope =
        LoggerMessage.DefineScope<string, string>("Channels {Channels}, stream {StreamId}");

    // Replay and live delivery write without flushing until this much is buffered, then let backpressure apply.
    private const int FlushThresholdBytes = 16 * 1024;

    /// <summary>
    /// Streams <paramref name="channel"/> to the response, each event with its own id, until the deadline, shutdown,
    /// overflow or the client leaves; at <paramref name="notAfter"/> (the client's token expiry) at the latest.
    /// <paramref name="admission"/> (the stream's slots) is disposed when the stream ends.
    /// </summary>
    public Task RunAsync(HttpContext context, string channel, StreamStart start, DateTimeOffset? notAfter = null, IDisposable? admission = null) =>
        RunAsync(context, [channel], start, notAfter, composite: false, admission);

    /// <summary>
    /// Streams <paramref name="channels"/> (distinct, valid, authorised) to the response with
    /// <see cref="CompositePosition"/> ids, until the deadline, shutdown, overflow or the client leaves; at
    /// <paramref name="notAfter"/> (the earliest token expiry) at the latest. <paramref name="admission"/> (the stream's
    /// slots) is disposed when the stream ends.
    /// </summary>
    public Task RunAsync(HttpContext context, IReadOnlyList<string> channels, StreamStart start, DateTimeOffset? notAfter = null, IDisposable? admission = null) =>
        RunAsync(context, channels, start, notAfter, composite: true, admission);

    // One async frame for the stream's whole life: an idle stream holds this state machine and nothing nested.
    private async Task RunAsync(HttpContext context, IReadOnlyList<string> channels, StreamStart start, DateTimeOffset? notAfter, bool composite, IDisposable? admission)
    {
        using var slots = admission;
        var aborted = context.RequestAborted;
        SseResponse.Prepare(context);

        // Only when some logger keeps scopes (else BeginScope drops it): the request id is made on first use and the
        // request keeps it, so an open stream would hold the string for nothing.
        using var scope = !logging.CurrentValue.CaptureScopes ? null
            : composite
                ? ChannelsScope(logger, string.Join(',', channels), context.TraceIdentifier)
                : ChannelScope(logger, channels[0], context.TraceIdentifier);
        using var subscription = hub.Subscribe(channels, notAfter);
        using var trace = StreamTrace.Start(channels);
        subscription.OnAbort(static context => ((HttpContext)context!).Abort(), context);
        subscription.BeginCatchUp();
        metrics.StreamOpened();
        var output = new StreamOutput(context.Response.BodyWriter, subscription, aborted);
        var cursors = new StreamCursors(channels, composite);
        try
        {
            if (!await OpenAsync(context.Response, output, cursors, start, aborted))
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

            // Live: until the hub ends the subscription (break) or the client leaves (return).
            var reader = subscription.Reader;
            while (true)
            {
                if (!reader.TryRead(out var signal))
                {
                    if (!await output.FlushAsync())
                    {
                        return;
                    }

                    if (!await reader.WaitToReadAsync(aborted))
                    {
                        break;
                    }

                    continue;
                }

                if (subscription.IsEnded)
                {
                    break;
                }

                if (signal.Event is not null)
                {
                    // The event goes no further than this call: a local of this long-lived state machine set to every
                    // new event would dirty a card of the old heap per stream per event, all scanned at each gen0 GC.
                    if (await DeliverAsync(output, cursors, signal.Event, trace, aborted))
                    {
                        // Bound what a burst copies into this client's response buffer: past the threshold, flush and let
                        // backpressure hold the rest in the bounded queue, where overflow ends a client that stopped reading.
                        if (output.Unflushed >= FlushThresholdBytes && !await output.FlushAsync())
                        {
                            return;
                        }
                    }
                }
                else if (signal is { Head: { } head, HeadChannel: { } headChannel })
                {
                    await FollowHeadAsync(output, cursors, headChannel, head, aborted);
                }
                else
                {
                    output.Write(SseFrames.Heartbeat.Span);
                }
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
        catch (OperationCanceledException ex) when (aborted.IsCancellationRequested || ex.CancellationToken == aborted)
        {
            // The client left; nothing to end.
        }
        catch (Exception ex)
        {
            // E.g. the log is unreachable (a store's timeout may come as a cancellation nobody asked for): end the stream
            // so the client retries after the interval.
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

    /// <summary>
    /// Places the cursors, shows the stream open (start position header, <c>retry:</c>, the opening comment) and replays
    /// what the client missed. False when the client has gone.
    /// </summary>
    private async Task<bool> OpenAsync(HttpResponse response, StreamOutput output, StreamCursors cursors, StreamStart start, CancellationToken aborted)
    {
        // Read the heads before the stream shows itself open: an event a client publishes once it sees the stream open
        // must come after them, or a new client would count it as past and never get it.
        var heads = cursors.All.Length == 1
            ? [await log.GetHeadAsync(cursors.All[0].Channel, aborted)]
            : await Task.WhenAll(cursors.All.Select(c => log.GetHeadAsync(c.Channel, aborted)));
        await PlaceAsync(cursors, heads, start, aborted);
        StartPositionHeader.Set(response, cursors.StartPosition(start));
        output.Write(ReconnectDelay.OpeningFrame(options.CurrentValue));
        output.Write(SseFrames.Opened.Span);
        if (start.Kind == StreamStartKind.Mismatch)
        {
            WriteReset(output, cursors, null, ResetReason.ChannelsMismatch, start.Requested!);
        }

        if (!await output.FlushAsync())
        {
            return false;
        }

        // A new client starts at the heads: live events only (the hub queues whatever was committed since).
        if (start.Kind == StreamStartKind.AtHead)
        {
            return true;
        }

        await ReplayAsync(output, cursors, aborted);
        SettleStart(output, cursors, heads);
        return await output.FlushAsync();
    }

    /// <summary>Places every cursor where its channel starts, with the reset it owes when the id cannot be followed exactly.</summary>
    private async Task PlaceAsync(StreamCursors cursors, LogHead[] heads, StreamStart start, CancellationToken aborted)
    {
        var fromOldest = start.Kind is StreamStartKind.Earliest or StreamStartKind.Mismatch;
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
            else if (start.Positions is { } positions)
            {
                var seen = positions[cursor.Index];
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
    private void SettleStart(StreamOutput output, StreamCursors cursors, LogHead[] heads)
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
                // Everything up to the head was pruned: say so, then carry on from the head.
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
    private async Task ReplayAsync(StreamOutput output, StreamCursors cursors, CancellationToken aborted)
    {
        if (cursors.All.Length == 1)
        {
            await FillFromLogAsync(output, cursors, cursors.All[0], upTo: null, aborted);
            return;
        }

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
                    await WriteReplayedAsync(output, cursors, cursor, e, aborted);
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

    /// <summary>A live event: written in its channel's order (true), or dropped as already sent, stale or unconfirmed (false).</summary>
    private async ValueTask<bool> DeliverAsync(StreamOutput output, StreamCursors cursors, ChannelEvent e, StreamTrace? trace, CancellationToken aborted)
    {
        if (cursors.Of(e.Channel) is not { } cursor)
        {
            return false;
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
                return false;
            }

            var old = cursor.Position.ToString();
            cursor.Epoch = e.Epoch;
            cursor.StartFromOldest(ResetReason.StaleEpoch, old);
        }

        if (e.Offset <= cursor.Last)
        {
            return false;
        }

        if (e.Offset > cursor.Last + 1)
        {
            metrics.GapFilled();
            await FillFromLogAsync(output, cursors, cursor, e.Offset, aborted);
            if (e.Offset > cursor.Last)
            {
                // The log ends before this offset: not a committed event (a forged or corrupt fan-out message). Only
                // offsets the log confirms move the stream, or the real events up to this one would be dropped.
                LogUnconfirmed(e.Channel, e.Offset, cursor.Last);
            }

            return false;
        }

        WriteEvent(output, cursors, cursor, e);
        metrics.EventDelivered();
        trace?.Delivered(e);
        return true;
    }

    /// <summary>
    /// The hub read a channel's head because no live event came for a while: what this stream has not seen up to it
    /// lost its fan-out copy on the way here, so it comes from the log.
    /// </summary>
    private async Task FollowHeadAsync(StreamOutput output, StreamCursors cursors, string channel, LogHead head, CancellationToken aborted)
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

        LogBehindHead(channel, cursor.Last, head.Offset);
        metrics.GapFilled();
        await FillFromLogAsync(output, cursors, cursor, head.Offset, aborted);
    }

    /// <summary>Writes one channel's events from the log after its cursor, up to <paramref name="upTo"/> when given.</summary>
    private async Task FillFromLogAsync(StreamOutput output, StreamCursors cursors, ChannelCursor cursor, long? upTo, CancellationToken aborted)
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

            await WriteReplayedAsync(output, cursors, cursor, e, aborted);
            if (upTo is { } limit && e.Offset >= limit)
            {
                break;
            }
        }
    }

    private async ValueTask WriteReplayedAsync(StreamOutput output, StreamCursors cursors, ChannelCursor cursor, ChannelEvent e, CancellationToken aborted)
    {
        WriteEvent(output, cursors, cursor, e);
        metrics.EventReplayed();
        if (output.Unflushed >= FlushThresholdBytes && !await output.FlushAsync())
        {
            throw new OperationCanceledException(aborted);
        }
    }

    /// <summary>Writes an event in its channel's order, first saying so with a reset if the log cannot give what came before it.</summary>
    private void WriteEvent(StreamOutput output, StreamCursors cursors, ChannelCursor cursor, ChannelEvent e)
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
        cursors.WriteFrame(output, cursor, e);
    }

    /// <summary>
    /// Writes a reset about <paramref name="cursor"/>'s channel (null: about every channel, <c>channels-mismatch</c>);
    /// <paramref name="requested"/> is the client's position for the channel, or its whole id when the reset concerns every channel.
    /// </summary>
    private void WriteReset(StreamOutput output, StreamCursors cursors, ChannelCursor? cursor, string reason, string requested)
    {
        metrics.ResetSent(reason);
        var resumeAfter = cursors.ResumeAfter(cursor);
        LogReset(reason, cursor?.Channel, requested, resumeAfter);

        // A channel's own stream names no channel: its ids already belong to it.
        var channel = cursors.IsComposite ? cursor?.Channel : null;
        var data = JsonSerializer.SerializeToUtf8Bytes(new ResetData(reason, channel, requested, resumeAfter), ResetDataContext.Default.ResetData);

        // The reset carries the id to resume after, so a client that reconnects right away is not reset again.
        output.Write(SseFrames.Encode(new SseItem<ReadOnlyMemory<byte>>(data, SseFrames.ResetEventName) { EventId = resumeAfter }));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream reset ({Reason}) of channel {Channel}: client asked after {Requested}, continuing after {ResumeAfter}")]
    private partial void LogReset(string reason, string? channel, string requested, string? resumeAfter);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream at offset {Offset} of {Channel} is behind the log's head {Head} with no live event on the way; reading from the log")]
    private partial void LogBehindHead(string channel, long offset, long head);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a live event of {Channel} at offset {Offset}: the log ends at {LogEnd}, so it is not a committed event")]
    private partial void LogUnconfirmed(string channel, long offset, long logEnd);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream failed; ended it with a retry hint")]
    private partial void LogFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream ended ({Reason})")]
    private partial void LogEnded(StreamEndReason reason);
}
