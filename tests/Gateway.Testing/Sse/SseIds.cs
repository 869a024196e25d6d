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

    /// <summary>The channel index of a multi-channel id (<c>{index}.{list}.{positions}</c>): which channel the event came from.</summary>
    public static int ChannelIndex(string? id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return int.Parse(id.AsSpan(0, id.IndexOf('.')), CultureInfo.InvariantCulture);
    }

    /// <summary>Each channel's offset in a multi-channel id, in the stream's channel order (0 for a channel with no log yet).</summary>
    public static long[] Offsets(string? id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return [.. id[(id.LastIndexOf('.') + 1)..].Split('_').Select(Offset)];
    }
}
