using System.Buffers;
using System.IO.Pipelines;
using Gateway.Core.Access;
using Gateway.Core.Bus;
using Gateway.Core.Channels;
using Gateway.Core.Events;
using Gateway.Core.Limits;
using Gateway.Core.Options;
using Gateway.Core.Streaming;
using Gateway.Core.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Gateway.Core.Http;

/// <summary>
/// The HTTP surface, written once for both hosts: the server maps these to routes and each Azure Function
/// calls one of them with its <see cref="HttpContext"/>.
/// </summary>
public sealed class GatewayEndpoints(
    StreamSession session,
    IEventBus bus,
    EventRules rules,
    HealthCheckService health,
    StreamLimiter streamLimiter,
    PublishLimiter publishLimiter,
    IOptions<LimitOptions> limits,
    IOptions<HealthOptions> healthOptions,
    GatewayMetrics metrics,
    ChannelAccess access,
    ILogger<GatewayEndpoints> logger)
{
    /// <summary>The query parameter that names a published event (SSE <c>event</c> field).</summary>
    public const string EventNameParameter = "event";

    // When a publisher whose event the log did not take in time should try again: a short outage is often over by then.
    private const string PublishTimeoutRetryAfterSeconds = "5";

    /// <summary><c>GET /api/channels/{channel}/stream</c>: the SSE stream.</summary>
    public Task StreamAsync(HttpContext context, string channel)
    {
        // Checked without waiting (the usual case), the stream runs as the request's own task: no frame of this method
        // stays under it for the stream's whole life.
        var admitting = AdmitStreamAsync(context, channel);
        return admitting.IsCompletedSuccessfully ? RunStream(context, channel, admitting.Result) : RunOnceAdmittedAsync(context, channel, admitting);
    }

    private Task RunStream(HttpContext context, string channel, AdmittedStream? admitted) => admitted is { } stream
        ? session.RunAsync(context, channel, stream.Start, stream.NotAfter, stream.Admission)
        : Task.CompletedTask;

    private async Task RunOnceAdmittedAsync(HttpContext context, string channel, ValueTask<AdmittedStream?> admitting) =>
        await RunStream(context, channel, await StreamStartFailure.AdmitOrAnswerAsync(context, logger, admitting));

    /// <summary>The stream request's checks; null once a refusal was answered.</summary>
    private async ValueTask<AdmittedStream?> AdmitStreamAsync(HttpContext context, string channel)
    {
        if (!ChannelName.TryValidate(channel, out var channelError))
        {
            await Problems.BadRequest(context, "Invalid channel name", channelError);
            return null;
        }

        var decision = await access.CheckAsync(context, channel, ChannelRight.Subscribe);
        if (!decision.Allowed)
        {
            return null;
        }

        var start = StreamStart.AtHead;
        if (LastEventIdReader.Read(context.Request) is { } text)
        {
            if (text == LastEventIdReader.Earliest)
            {
                start = StreamStart.Earliest;
            }
            else if (!EventPosition.TryParse(text, out var position, out var idError))
            {
                await Problems.BadRequest(context, "Invalid Last-Event-ID", idError);
                return null;
            }
            else
            {
                start = StreamStart.After(position);
            }
        }

        // The slots are held for the stream's whole life and given back when it ends, however it ends (the session disposes them).
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

        return new AdmittedStream(start, decision.NotAfter, admission);
    }

    /// <summary><c>POST /api/channels/{channel}/events</c>: body = data (UTF-8), <c>?event=</c> = event name.</summary>
    public async Task PublishAsync(HttpContext context, string channel)
    {
        if (!ChannelName.TryValidate(channel, out var channelError))
        {
            await Problems.BadRequest(context, "Invalid channel name", channelError);
            return;
        }

        if (!(await access.CheckAsync(context, channel, ChannelRight.Publish)).Allowed)
        {
            return;
        }

        // Right after the token check, so the budget is the token's subject's where there is one; every later
        // refusal (bad name, bad data) costs the publisher's budget too.
        if (!publishLimiter.TryAcquire(context, out var retryAfter))
        {
            metrics.RequestRefused("publish_rate");
            await LimitProblems.PublishRefused(context, limits.Value, retryAfter);
            return;
        }

        var eventName = context.Request.Query[EventNameParameter] is { Count: > 0 } names ? names[^1] : null;
        if (!rules.TryValidateEventName(eventName, out var nameError))
        {
            await Problems.BadRequest(context, "Invalid event name", nameError);
            return;
        }

        // Invalid UTF-8 in the percent-encoding survives decoding as literal '%XX' text (or U+FFFD): check the raw query.
        if (eventName is not null && eventName.AsSpan().IndexOfAny('%', '\uFFFD') >= 0 && !RawQuery.IsUtf8(context.Request.QueryString, EventNameParameter))
        {
            await Problems.BadRequest(context, "Invalid event name", "The event name is not valid UTF-8 once percent-decoded.");
            return;
        }

        // Parsed once for both checks below: a parse allocates its parameter list.
        var mediaType = MediaTypeOf(context.Request.ContentType);
        if (IsMultipart(mediaType))
        {
            await Problems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "The body is the event's data as it is; a multipart/form-data (or other multipart) body is not accepted.");
            return;
        }

        if (!TryReadIdempotencyKey(context.Request, out var idempotencyKey, out var keyError))
        {
            await Problems.BadRequest(context, "Invalid Idempotency-Key", keyError);
            return;
        }

        if (!IsUtf8OrUnspecified(mediaType, out var charset))
        {
            await Problems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported charset",
                $"The body must be UTF-8 text; the request declares charset '{charset}'.");
            return;
        }

        if (context.Request.ContentLength > rules.MaxDataBytes)
        {
            await TooLarge(context, context.Request.ContentLength.Value);
            return;
        }

        byte[]? data;
        try
        {
            data = await ReadBodyAsync(context.Request.BodyReader, rules.MaxDataBytes, context.RequestAborted);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel refused the body (cut short, bad chunk framing, too slow): say so, not a 500.
            await Problems.WriteAsync(context, ex.StatusCode, "Invalid request body", $"The request body could not be read: {ex.Message}");
            return;
        }

        if (data is null)
        {
            await TooLarge(context, null);
            return;
        }

        if (!rules.TryValidateData(data, out var dataError))
        {
            await Problems.BadRequest(context, "Invalid event data", dataError);
            return;
        }

        PublishReceipt receipt;
        try
        {
            receipt = await bus.PublishAsync(channel, eventName, data, idempotencyKey, context.RequestAborted);
        }
        catch (EventBusClosedException closed)
        {
            // Not appended: the publisher must send it again (to another instance, or this one once it is back).
            context.Response.Headers.RetryAfter = "1";
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Gateway stopping", closed.Message);
            return;
        }
        catch (PublishTimedOutException timedOut)
        {
            // The log did not take it in time (it is down or slow): withdrawn, or held and appended once later.
            context.Response.Headers.RetryAfter = PublishTimeoutRetryAfterSeconds;
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Event log unavailable", timedOut.Message);
            return;
        }

        await PublishResponse.WriteAsync(context, channel, eventName, data.Length, receipt);
    }

    /// <summary>The optional <c>Idempotency-Key</c> header: absent, or one valid key.</summary>
    private static bool TryReadIdempotencyKey(HttpRequest request, out string? key, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        key = null;
        error = null;
        if (!request.Headers.TryGetValue(IdempotencyKey.HeaderName, out var values))
        {
            return true;
        }

        if (values.Count != 1)
        {
            error = $"Send one {IdempotencyKey.HeaderName} header, not {values.Count}.";
            return false;
        }

        key = values[0];
        return IdempotencyKey.TryValidate(key, out error);
    }

    /// <summary>
    /// <c>GET /api/health</c>: liveness and the reachability of the log and the bus. Descriptions only for an
    /// authenticated caller or with <see cref="HealthOptions.Detailed"/>; the health check service logs them (and any
    /// exception) for checks that are not healthy.
    /// </summary>
    public async Task HealthAsync(HttpContext context)
    {
        await access.IdentifyAsync(context);
        var report = await health.CheckHealthAsync(context.RequestAborted);
        context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.Headers.CacheControl = "no-store";
        var detailed = healthOptions.Value.Detailed || context.User.Identity?.IsAuthenticated == true;
        await HealthResponse.WriteAsync(context, report, detailed);
    }

    /// <summary>
    /// Any other path below <c>/api/channels/</c>, most often a channel name with a <c>/</c> in it; or a channel route
    /// with the other route's method (GET on <c>events</c>, POST on <c>stream</c>), which gets 405 with <c>Allow</c>.
    /// </summary>
    public static Task NotAChannelRouteAsync(HttpContext context, string? rest)
    {
        if (rest is not null && WrongMethodOnChannelRoute(context.Request.Method, rest) is { } allow)
        {
            context.Response.Headers.Allow = allow;
            return Problems.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Method not allowed",
                $"{context.Request.Method} is not allowed on /api/channels/{{channel}}/{rest[(rest.LastIndexOf('/') + 1)..]}; use {allow}.");
        }

        return Problems.BadRequest(context, "Invalid channel name",
            $"'{rest}' is not a channel route: use /api/channels/{{channel}}/stream, /api/channels/{{channel}}/events or /api/channels/{{channel}}, with a channel name of ASCII letters, digits, '-', '_', '.' and ':' (no '/').");
    }

    /// <summary>The method the route takes when <paramref name="rest"/> is <c>{channel}/stream</c> or <c>{channel}/events</c> asked with the other method.</summary>
    private static string? WrongMethodOnChannelRoute(string method, string rest)
    {
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !ChannelName.IsValid(rest[..slash]))
        {
            return null;
        }

        return rest[(slash + 1)..] switch
        {
            "events" when HttpMethods.IsGet(method) => HttpMethods.Post,
            "stream" when HttpMethods.IsPost(method) => HttpMethods.Get,
            _ => null,
        };
    }

    /// <summary>The request's media type; null when it sent none or one that does not parse (treated as unspecified).</summary>
    private static MediaTypeHeaderValue? MediaTypeOf(string? contentType) =>
        contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var media) ? media : null;

    private static bool IsMultipart(MediaTypeHeaderValue? media) =>
        media is not null && media.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase);

    private Task TooLarge(HttpContext context, long? length) =>
        Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Event too large",
            length is { } n
                ? $"The event data is {n} bytes; at most {rules.MaxDataBytes} are allowed."
                : $"The event data is larger than the {rules.MaxDataBytes} bytes allowed.");

    private static bool IsUtf8OrUnspecified(MediaTypeHeaderValue? media, out string? charset)
    {
        charset = null;
        if (media is null || !media.Charset.HasValue)
        {
            return true;
        }

        // A quoted charset ("UTF-8") is the same charset (RFC 9110).
        charset = HeaderUtilities.RemoveQuotes(media.Charset).Value!;
        return charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Reads the whole body, or returns null as soon as it passes <paramref name="limit"/> bytes.</summary>
    private static async Task<byte[]?> ReadBodyAsync(PipeReader reader, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return null;
            }

            if (result.IsCompleted)
            {
                var data = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return data;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}

