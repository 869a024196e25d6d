namespace Gateway.Client.Streams;

/// <summary>The stream ended or could not open, and the client waits <see cref="Delay"/> before the next attempt.</summary>
/// <param name="Delay">The wait: the server's latest <c>retry:</c> after a clean end, more after failures in a row.</param>
/// <param name="Failures">Failed attempts in a row (0 after a stream that ended cleanly).</param>
/// <param name="Error">What broke (a refused connection, a dropped stream, a 503), or null for a clean end.</param>
/// <param name="LastEventId">The id the next attempt resumes after.</param>
public sealed record GatewayStreamReconnect(TimeSpan Delay, int Failures, Exception? Error, string? LastEventId);
