using Gateway.Core.Events;
using Gateway.Core.Log;

namespace Gateway.Core.Hub;

/// <summary>
/// One item in a subscriber's queue: an event; or the log head of <see cref="HeadChannel"/>, read because no live event
/// came for a while (the stream reads from the log what it has not seen up to there); or (neither) a heartbeat tick.
/// </summary>
public readonly record struct HubSignal(ChannelEvent? Event, LogHead? Head = null, string? HeadChannel = null)
{
    public static HubSignal Heartbeat => default;

    public bool IsHeartbeat => Event is null && Head is null;
}
