using System.Globalization;
using System.Net.ServerSentEvents;

namespace Gateway.Testing.Sse;

/// <summary>Reads the offset out of a gateway SSE id (<c>{epoch}-{offset}</c>).</summary>
public static class SseIds
{
    public static long Offset(string? id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return long.Parse(id.AsSpan(id.LastIndexOf('-') + 1), CultureInfo.InvariantCulture);
    }

    public static long Offset(SseItem<string> item) => Offset(item.EventId);
}
