using Microsoft.AspNetCore.Http;

namespace Gateway.Core.Streaming;

/// <summary>
/// Where a reconnecting client says what it saw last: the <c>Last-Event-ID</c> header (EventSource), else the
/// <c>last_event_id</c> query parameter (Mercure's and Nchan's name) or <c>lastEventId</c> (a common
/// EventSource polyfill's), for clients that cannot set headers. An empty value means none.
/// </summary>
public static class LastEventIdReader
{
    public const string HeaderName = "Last-Event-ID";

    /// <summary>The id that asks for every retained event (Mercure's <c>earliest</c>), with no reset.</summary>
    public const string Earliest = "earliest";
    public static readonly string[] QueryNames = ["last_event_id", "lastEventId"];

    public static string? Read(HttpRequest request)
    {
        var header = request.Headers[HeaderName];
        if (header.Count > 0 && !string.IsNullOrEmpty(header[^1]))
        {
            return header[^1];
        }

        // Without a query string, Query is not touched: reading it gives the request a query feature that an open stream keeps.
        if (!request.QueryString.HasValue)
        {
            return null;
        }

        foreach (var name in QueryNames)
        {
            var value = request.Query[name];
            if (value.Count > 0 && !string.IsNullOrEmpty(value[^1]))
            {
                return value[^1];
            }
        }

        return null;
    }
}
