using Microsoft.AspNetCore.Http;

namespace Gateway.Core.Streaming;

/// <summary>
/// The <c>Last-Event-ID</c> response header: the id the stream starts after, so a client knows where it is before the
/// first event (Mercure sends the same). Absent when there is no such id yet (a channel that has no log).
/// </summary>
public static class StartPositionHeader
{
    public const string Name = LastEventIdReader.HeaderName;

    public static void Set(HttpResponse response, string? id)
    {
        if (id is not null)
        {
            response.Headers[Name] = id;
        }
    }
}
