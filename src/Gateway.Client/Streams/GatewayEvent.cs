namespace Gateway.Client.Streams;

/// <summary>
/// One event from a gateway stream.
/// </summary>
/// <param name="Id">The SSE id: <c>{epoch}-{offset}</c> on one channel, <c>{index}.{list}.{…}</c> on several; resume after it with <c>Last-Event-ID</c>.</param>
/// <param name="EventName">The SSE event name: as published, <c>message</c> when none was, <c>reset</c> for the gateway's own.</param>
/// <param name="Data">The event's data.</param>
/// <param name="Channel">The channel it came from (on several channels, the one the id's index names); null only for a reset that concerns every channel.</param>
/// <param name="Reset">For a <c>reset</c> event: why the stream could not continue exactly after the id it was given.</param>
public sealed record GatewayEvent(string? Id, string EventName, string Data, string? Channel, GatewayReset? Reset = null)
{
    /// <summary>The event name SSE gives an event without one.</summary>
    public const string DefaultEventName = "message";

    /// <summary>Whether this is the gateway's <c>reset</c> event (see <see cref="Reset"/>).</summary>
    public bool IsReset => Reset is not null;
}
