using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace Gateway.BrowserTests.Infrastructure;

/// <summary>
/// The <c>Last-Event-ID</c> header of every stream request the gateway received (empty string when absent), in
/// arrival order: proof that the browser itself, not the test page, resumed from the last id after a deadline.
/// </summary>
public sealed class StreamRequestLog
{
    private readonly ConcurrentQueue<string> _lastEventIds = new();

    public IReadOnlyList<string> LastEventIds => [.. _lastEventIds];

    public async Task RecordAsync(HttpContext context, Func<Task> next)
    {
        if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Value?.EndsWith("/stream", StringComparison.Ordinal) == true)
        {
            _lastEventIds.Enqueue(context.Request.Headers["Last-Event-ID"].ToString());
        }

        await next();
    }
}
