namespace Gateway.Client.Streams;

/// <summary>A stream opened.</summary>
/// <param name="Connection">1 for the first stream of a <see cref="GatewayStream"/>, then 2, 3, …</param>
/// <param name="SentLastEventId">The <c>Last-Event-ID</c> the request carried, if any.</param>
/// <param name="StartsAfter">The server's <c>Last-Event-ID</c> response header: the id the stream starts after (null while a channel has no log).</param>
public sealed record GatewayStreamConnected(int Connection, string? SentLastEventId, string? StartsAfter);
