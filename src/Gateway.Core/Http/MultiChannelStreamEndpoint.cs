using Gateway.Core.Access;
using Gateway.Core.Channels;
using Gateway.Core.Limits;
using Gateway.Core.Options;
using Gateway.Core.Streaming;
using Gateway.Core.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Core.Http;

/// <summary>
/// <c>GET /api/stream?channel=a&amp;channel=b</c>: one SSE stream over several channels (browsers allow about six
/// HTTP/1.1 connections per site), for both hosts. Each channel is checked as for its own stream; the stream takes one
/// admission and ends at the earliest token expiry among its channels.
/// </summary>
public sealed class MultiChannelStreamEndpoint(
    StreamSession session,
    ChannelAccess access,
    StreamLimiter streamLimiter,
    IOptions<LimitOptions> limits,
    IOptionsMonitor<StreamOptions> streamOptions,
    GatewayMetrics metrics,
    ILogger<MultiChannelStreamEndpoint> logger)
{
    /// <summary>The query parameter, repeated once per channel; the order is the order of the channel indexes in the ids.</summary>
    public const string ChannelParameter = "channel";

    public Task StreamAsync(HttpContext context)
    {
        // Checked without waiting (the usual case), the stream runs as the request's own task: no frame of this method
        // stays under it for the stream's whole life.
        var admitting = AdmitStreamAsync(context);
        return admitting.IsCompletedSuccessfully ? RunStream(context, admitting.Result) : RunOnceAdmittedAsync(context, admitting);
    }

    private Task RunStream(HttpContext context, (IReadOnlyList<string> Channels, AdmittedStream Stream)? admitted) => admitted is { } request
        ? session.RunAsync(context, request.Channels, request.Stream.Start, request.Stream.NotAfter, request.Stream.Admission)
        : Task.CompletedTask;

    private async Task RunOnceAdmittedAsync(HttpContext context, ValueTask<(IReadOnlyList<string> Channels, AdmittedStream Stream)?> admitting) =>
        await RunStream(context, await StreamStartFailure.AdmitOrAnswerAsync(context, logger, admitting));

    /// <summary>The stream request's checks; null once a refusal was answered.</summary>
    private async ValueTask<(IReadOnlyList<string> Channels, AdmittedStream Stream)?> AdmitStreamAsync(HttpContext context)
    {
        var requested = context.Request.Query[ChannelParameter];
        var max = streamOptions.CurrentValue.MaxChannels;
        if (requested.Count == 0)
        {
            await Problems.BadRequest(context, "No channel", $"Name the channels to follow with the '{ChannelParameter}' query parameter, once per channel: /api/stream?{ChannelParameter}=a&{ChannelParameter}=b.");
            return null;
        }

        if (requested.Count > max)
        {
            await Problems.BadRequest(context, "Too many channels",
                $"The stream names {requested.Count} channels; at most {max} are allowed in one stream (Gateway:Stream:MaxChannels). Split them over several streams.");
            return null;
        }

        var channels = new List<string>(requested.Count);
        foreach (var channel in requested)
        {
            if (!ChannelName.TryValidate(channel, out var channelError))
            {
                await Problems.BadRequest(context, "Invalid channel name", $"Channel {channels.Count + 1} of the stream: {channelError}");
                return null;
            }

            // Refused rather than collapsed: the index in every event id is the channel's place in the URL's list, so
            // the list must mean exactly what the client wrote.
            if (channels.Contains(channel, StringComparer.Ordinal))
            {
                await Problems.BadRequest(context, "Duplicate channel", $"The channel '{channel}' is named more than once; name each channel once.");
                return null;
            }

            channels.Add(channel);
        }

        DateTimeOffset? notAfter = null;
        foreach (var channel in channels)
        {
            var decision = await access.CheckAsync(context, channel, ChannelRight.Subscribe);
            if (!decision.Allowed)
            {
                return null;
            }

            if (decision.NotAfter is { } until && (notAfter is null || until < notAfter))
            {
                notAfter = until;
            }
        }

        var start = StreamStart.AtHead;
        if (LastEventIdReader.Read(context.Request) is { } text)
        {
            if (text == LastEventIdReader.Earliest)
            {
                start = StreamStart.Earliest;
            }
            else if (!CompositePosition.TryParse(text, channels, max, out var position, out var idError))
            {
                await Problems.BadRequest(context, "Invalid Last-Event-ID", idError);
                return null;
            }
            else
            {
                start = position is null ? StreamStart.Mismatch(text) : StreamStart.After(position, text);
            }
        }

        // One admission for the whole stream, however many channels it follows; held until the stream ends (the session disposes it).
        var admission = streamLimiter.TryAdmit(context);
        if (!admission.IsAdmitted)
        {
            using (admission)
            {
                metrics.RequestRefused(admission.Refusal == StreamRefusal.PerClient ? "streams_per_client" : "streams");
                await LimitProblems.StreamRefused(context, admission.Refusal, limits.Value, limits.Value.StreamRetryAfter);
            }

            return null;
        }

        return (channels, new AdmittedStream(start, notAfter, admission));
    }
}
