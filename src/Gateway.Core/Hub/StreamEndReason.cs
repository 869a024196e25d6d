namespace Gateway.Core.Hub;

/// <summary>Why the gateway ended a stream (a client closing its connection is not one of these).</summary>
public enum StreamEndReason
{
    None = 0,

    /// <summary>The stream reached its deadline (before the Functions host would kill it).</summary>
    Deadline,

    /// <summary>The host is shutting down (scale-in, deploy).</summary>
    Shutdown,

    /// <summary>The client read too slowly and its queue overflowed; it reconnects and replays from the log.</summary>
    SlowConsumer,

    /// <summary>The client's access token expired; it reconnects with a fresh one or is refused.</summary>
    TokenExpired,
}
