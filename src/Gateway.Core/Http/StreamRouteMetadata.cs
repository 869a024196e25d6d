using Microsoft.AspNetCore.Http;

namespace Gateway.Core.Http;

/// <summary>
/// Marks the SSE stream routes, whose request lasts as long as the stream. A host keeps per-request middleware that
/// would wait on the request's task (error pages, CORS without an <c>Origin</c>) off these routes: every open stream
/// would hold its async frame and state for its whole life. The routes answer their own errors
/// (<see cref="StreamStartFailure"/>).
/// </summary>
public sealed class StreamRouteMetadata
{
    public static readonly StreamRouteMetadata Instance = new();

    private StreamRouteMetadata()
    {
    }

    /// <summary>True when routing matched <paramref name="context"/> to a stream route.</summary>
    public static bool Matches(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<StreamRouteMetadata>() is not null;
}
