namespace Gateway.Testing.Sse;

/// <summary>How an <see cref="EventSourceClient"/> connects and reconnects.</summary>
public sealed record EventSourceClientOptions
{
    /// <summary>The reconnection delay before a stream has sent <c>retry:</c> (browsers use about 3 s).</summary>
    public TimeSpan InitialRetry { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The longest reconnection delay honoured, whatever <c>retry:</c> says (a test's bound, not the spec's).</summary>
    public TimeSpan MaxRetry { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A stream that sends no event for this long is taken as stalled and reconnected (EventSource would wait for
    /// ever; a test must not). Heartbeat comments do not count: the parser hides them.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The <c>Last-Event-ID</c> to send while the client has received no id yet (null: none, as EventSource's first
    /// request). Asked before each such connection, e.g. <c>{epoch}-0</c> once a channel's log exists, so a client
    /// whose first stream broke before any event still starts at the channel's beginning.
    /// </summary>
    public Func<CancellationToken, Task<string?>>? StartId { get; init; }
}
