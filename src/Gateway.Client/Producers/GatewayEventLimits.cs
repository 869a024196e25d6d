using Gateway.Client.Rules;

namespace Gateway.Client.Producers;

/// <summary>
/// The limits the gateway applies to an event (its <c>Gateway:Events</c> settings). The defaults are the gateway's
/// defaults; a producer for a gateway configured tighter passes the same values so it refuses what ingest would.
/// </summary>
public sealed record GatewayEventLimits
{
    /// <summary>The gateway's default limits.</summary>
    public static GatewayEventLimits Default { get; } = new();

    /// <summary>The largest event data in UTF-8 bytes (<c>Gateway:Events:MaxDataBytes</c>, default 65536).</summary>
    public int MaxDataBytes { get; init; } = EventContentRules.DefaultMaxDataBytes;

    /// <summary>The longest event name in UTF-16 characters (<c>Gateway:Events:MaxEventNameLength</c>, default 128).</summary>
    public int MaxEventNameLength { get; init; } = EventContentRules.DefaultMaxEventNameLength;
}
