using Gateway.Core.Events;

namespace Gateway.Core.Log;

/// <summary>
/// What the embedded log charges against <c>Gateway:InMemory:MaxBytes</c>: an estimate of the managed memory an
/// event or a channel keeps alive, not an exact measurement. An event is charged its data twice — the first stream
/// that sends it caches the encoded SSE frame on it, about the same size again — plus its name and the objects
/// around it.
/// </summary>
internal static class InMemoryEventCost
{
    // The event object, the frame array's header, the list slot, the id and field names of the frame.
    private const int PerEvent = 160;

    // The channel log, its lock, list, dictionary and queue, the LRU node, the dictionary entry and the epoch.
    private const int PerChannel = 640;

    public static long Of(ChannelEvent e) =>
        PerEvent + (2L * e.Data.Length) + (2L * 2 * (e.EventName?.Length ?? 0));

    public static long OfChannel(string channel) => PerChannel + (2L * channel.Length);
}
