using Gateway.Core.Events;

namespace Gateway.Core.Hub;

/// <summary>One item in a subscriber's queue: an event, or (with no event) a heartbeat tick.</summary>
public readonly record struct HubSignal(ChannelEvent? Event)
{
    public static HubSignal Heartbeat => default;

    public bool IsHeartbeat => Event is null;
}
