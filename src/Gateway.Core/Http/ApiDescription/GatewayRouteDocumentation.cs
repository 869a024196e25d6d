using Gateway.Core.Access;
using Gateway.Core.Bus;
using Gateway.Core.Streaming;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Gateway.Core.Http.ApiDescription;

/// <summary>
/// What each gateway route takes and answers, as endpoint metadata on the routes <see cref="GatewayRouteBuilderExtensions.MapGateway"/>
/// maps: names, summaries, the headers and query parameters the handlers read themselves, the <c>text/event-stream</c>
/// and JSON responses, and every problem status a route really returns. ASP.NET Core's own metadata types carry most of
/// it, so Core needs no OpenAPI package; the server host turns it into an OpenAPI document, which also describes the
/// Functions app (the same routes under the same <c>/api</c> prefix).
/// </summary>
public static class GatewayRouteDocumentation
{
    /// <summary>The OpenAPI tag of the stream routes.</summary>
    public const string StreamsTag = "Streams";

    /// <summary>The OpenAPI tag of the channel routes (publish, info).</summary>
    public const string ChannelsTag = "Channels";

    /// <summary>The OpenAPI tag of the health route.</summary>
    public const string OperationsTag = "Operations";

    /// <summary>The description of the <c>{channel}</c> route parameter.</summary>
    public const string ChannelDescription =
        "The channel: 1–128 characters of ASCII letters, digits, '-', '_', '.' and ':' (case-sensitive). An invalid name is 400.";

    private const string EventStream = "text/event-stream";

    private static readonly DocumentedParameter LastEventIdHeader = new(LastEventIdReader.HeaderName, DocumentedParameterLocation.Header,
        "The id of the last event the client saw (EventSource sends it itself on reconnect): the stream continues after it. " +
        $"'{LastEventIdReader.Earliest}' starts at the oldest retained event. An id from another epoch, ahead of the head or already " +
        "pruned is answered with a 'reset' event. A malformed id is 400.");

    public static RouteHandlerBuilder DescribeStream(this RouteHandlerBuilder route) => route
        .WithName("StreamChannel")
        .WithTags(StreamsTag)
        .WithSummary("Follow one channel as a server-sent event stream")
        .WithDescription(
            "Starts with a 'retry:' field and a comment, sends a heartbeat comment when no event came for Gateway:Stream:HeartbeatInterval (15 s by default), " +
            "replays the events after Last-Event-ID from the log, then live events; ends cleanly with a final 'retry:' at its deadline, " +
            "at shutdown or when its token expires. Never compressed or buffered (Content-Encoding: identity).")
        .WithResumeParameters()
        .WithMetadata(new DocumentedAccess(ChannelRight.Subscribe))
        .WithStreamResponses();

    public static RouteHandlerBuilder DescribeMultiChannelStream(this RouteHandlerBuilder route) => route
        .WithName("StreamChannels")
        .WithTags(StreamsTag)
        .WithSummary("Follow several channels in one server-sent event stream")
        .WithDescription(
            "One stream over up to Gateway:Stream:MaxChannels (16) channels. Each event's id starts with the 0-based index of its channel " +
            "in the 'channel' list ('{index}.{list}.{p0}_{p1}_…'), so a browser tells the channel from MessageEvent.lastEventId; the id " +
            "resumes every channel at its own position. Each channel is authorised as for its own stream.")
        .WithMetadata(new DocumentedParameter(MultiChannelStreamEndpoint.ChannelParameter, DocumentedParameterLocation.Query,
            "A channel to follow, repeated once per channel (channel=a&channel=b); the order gives each channel its index in the ids. " +
            "None, more than MaxChannels, a duplicate or an invalid name is 400.", Required: true, Repeated: true))
        .WithResumeParameters()
        .WithMetadata(new DocumentedAccess(ChannelRight.Subscribe))
        .WithStreamResponses();

    public static RouteHandlerBuilder DescribeChannelInfo(this RouteHandlerBuilder route) => route
        .WithName("GetChannelInfo")
        .WithTags(ChannelsTag)
        .WithSummary("The channel's head id, oldest retained id and streams on this instance")
        .WithDescription("A channel without a log answers 200 with head and oldest null, as a stream of it opens. Needs the subscribe grant.")
        .WithMetadata(new DocumentedAccess(ChannelRight.Subscribe))
        .Produces<ChannelInfo>(StatusCodes.Status200OK, "application/json")
        .WithAccessProblems()
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    public static RouteHandlerBuilder DescribePublish(this RouteHandlerBuilder route) => route
        .WithName("PublishEvent")
        .WithTags(ChannelsTag)
        .WithSummary("Publish one event to a channel")
        .WithDescription(
            "The body is the event's data (UTF-8 text, at most Gateway:Events:MaxDataBytes, 64 KiB by default). 201 with the event's id once " +
            "it is in the log (in-memory bus); 202 without an id once Service Bus holds it (it gets its id at ingest); 200 with the first " +
            "attempt's id when an Idempotency-Key was appended before. Any content type but multipart; a charset other than UTF-8 is 415. " +
            "On the Functions app the route also needs a function key (x-functions-key header or code query parameter).")
        .WithMetadata(
            new DocumentedRequestBody(
                "The event's data, as it is: UTF-8 text (JSON or any other), at most Gateway:Events:MaxDataBytes. Any content type but multipart is accepted.",
                ["text/plain", "application/octet-stream"]),
            new DocumentedParameter(GatewayEndpoints.EventNameParameter, DocumentedParameterLocation.Query,
                "The event name (the SSE 'event' field); absent means 'message'. No CR, LF or NUL; 'reset' is reserved for the gateway."),
            new DocumentedParameter(IdempotencyKey.HeaderName, DocumentedParameterLocation.Header,
                $"1–{IdempotencyKey.MaxLength} visible ASCII characters, e.g. a UUID: a retry with the same key in the same channel is not appended again."),
            new DocumentedAccess(ChannelRight.Publish),
            new DocumentedResponseHeader(StatusCodes.Status429TooManyRequests, "Retry-After", "Seconds until this publisher may publish again."),
            new DocumentedResponseHeader(StatusCodes.Status503ServiceUnavailable, "Retry-After", "Seconds after which to send the event again (the instance is stopping)."))
        .Produces<PublishAnswer>(StatusCodes.Status201Created, "application/json")
        .Produces<PublishAnswer>(StatusCodes.Status202Accepted, "application/json")
        .Produces<PublishAnswer>(StatusCodes.Status200OK, "application/json")
        .WithAccessProblems()
        .ProducesProblem(StatusCodes.Status408RequestTimeout)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    public static RouteHandlerBuilder DescribeHealth(this RouteHandlerBuilder route) => route
        .WithName("GetHealth")
        .WithTags(OperationsTag)
        .WithSummary("Liveness and the status of the event log and the bus")
        .WithDescription(
            "Each check's status and kind (which log, which bus) for everyone; each check's description only for an authenticated caller " +
            "or with Gateway:Health:Detailed. 503 with the same body when a check is unhealthy.")
        .WithMetadata(new DocumentedAccess(null))
        .Produces<HealthBody>(StatusCodes.Status200OK, "application/json")
        .Produces<HealthBody>(StatusCodes.Status503ServiceUnavailable, "application/json");

    private static RouteHandlerBuilder WithResumeParameters(this RouteHandlerBuilder route)
    {
        route.WithMetadata(LastEventIdHeader);
        foreach (var name in LastEventIdReader.QueryNames)
        {
            route.WithMetadata(new DocumentedParameter(name, DocumentedParameterLocation.Query,
                $"The same as the {LastEventIdReader.HeaderName} header, for clients that cannot set headers; the header wins when both are sent."));
        }

        return route;
    }

    private static RouteHandlerBuilder WithStreamResponses(this RouteHandlerBuilder route) => route
        .Produces<string>(StatusCodes.Status200OK, EventStream)
        .WithMetadata(
            new DocumentedResponseHeader(StatusCodes.Status200OK, StartPositionHeader.Name, "The id the stream starts after; absent while the channel (or every channel) has no log."),
            new DocumentedResponseHeader(StatusCodes.Status200OK, "Cache-Control", "no-cache"),
            new DocumentedResponseHeader(StatusCodes.Status200OK, "X-Accel-Buffering", "no: proxies must not buffer the stream."),
            new DocumentedResponseHeader(StatusCodes.Status200OK, "Content-Encoding", "identity: the stream is never compressed."),
            new DocumentedResponseHeader(StatusCodes.Status429TooManyRequests, "Retry-After", "Seconds until this client may open another stream."),
            new DocumentedResponseHeader(StatusCodes.Status503ServiceUnavailable, "Retry-After", "Seconds until the instance may have room for another stream."))
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .WithAccessProblems(includeBadRequest: false)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <summary>An invalid channel name (400), and with <c>Gateway:Auth</c> no or an invalid token (401) or no grant (403).</summary>
    private static RouteHandlerBuilder WithAccessProblems(this RouteHandlerBuilder route, bool includeBadRequest = true)
    {
        if (includeBadRequest)
        {
            route.ProducesProblem(StatusCodes.Status400BadRequest);
        }

        return route
            .WithMetadata(new DocumentedResponseHeader(StatusCodes.Status401Unauthorized, "WWW-Authenticate", "Bearer, with error=\"invalid_token\" for a token that was refused."))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
    }
}
