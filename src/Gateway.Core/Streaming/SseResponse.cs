using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Core.Streaming;

/// <summary>The status and headers of an SSE response, with buffering and compression off.</summary>
internal static class SseResponse
{
    public static void Prepare(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";

        // No response buffering or compression between us and the client: every flush reaches the wire.
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }
}
