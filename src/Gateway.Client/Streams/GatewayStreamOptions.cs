namespace Gateway.Client.Streams;

/// <summary>How a <see cref="GatewayStream"/> reconnects.</summary>
public sealed record GatewayStreamOptions
{
    /// <summary>The delay before reconnecting until the server has sent <c>retry:</c> (browsers use about 3 s).</summary>
    public TimeSpan InitialRetry { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The longest delay honoured from <c>retry:</c> or <c>Retry-After</c>, however long the server asks for.</summary>
    public TimeSpan MaxRetry { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The longest delay after failed attempts: each failure in a row doubles the delay (from the current retry), up to
    /// this, so a client does not hammer a gateway that is down. A stream that opens resets it.
    /// </summary>
    public TimeSpan MaxFailureBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A stream that sends nothing, not even a heartbeat comment (sent after 15 s without an event by default), for this
    /// long is taken as a dead connection and reconnected. <see cref="Timeout.InfiniteTimeSpan"/> waits for ever, as EventSource does.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The clock for the delays and the idle timeout.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Called each time a stream opens (a 2xx <c>text/event-stream</c> answer).</summary>
    public Action<GatewayStreamConnected>? Connected { get; init; }

    /// <summary>Called before each wait to reconnect, with the delay and why.</summary>
    public Action<GatewayStreamReconnect>? Reconnecting { get; init; }
}
