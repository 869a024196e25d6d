namespace Gateway.Testing.Sse;

/// <summary>How a connection of an <see cref="EventSourceClient"/> ended.</summary>
public enum EventSourceOutcome
{
    /// <summary>The server completed the response (a clean end: deadline, shutdown, error with a retry hint).</summary>
    Ended,

    /// <summary>The response broke off (connection reset, body ended without its final chunk: a killed server).</summary>
    Broken,

    /// <summary>No event within the idle timeout; the client gave up on it.</summary>
    Stalled,

    /// <summary>No stream: refused, timed out before headers, or not a 2xx event stream.</summary>
    Failed,

    /// <summary>The client dropped it to reconnect at once from another id (<see cref="EventSourceClient.Reconnect"/>).</summary>
    Restarted,
}
