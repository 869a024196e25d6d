using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Core.Streaming;

/// <summary>
/// The status and headers of an SSE response, with buffering and compression off. <c>Content-Encoding: identity</c>
/// says "not encoded" to whatever sits between the gateway and the client: ASP.NET Core's response compression
/// middleware leaves a response that already has a <c>Content-Encoding</c> alone, and so do front ends that would
/// otherwise compress (and with it buffer) a text response.
/// </summary>
internal static class SseResponse
{
    public static void Prepare(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        response.Headers.ContentEncoding = "identity";

        // No response buffering or compression between us and the client: every flush reaches the wire.
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }
}
