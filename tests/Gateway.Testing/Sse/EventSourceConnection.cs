namespace Gateway.Testing.Sse;

/// <summary>How one connection attempt of an <see cref="EventSourceClient"/> went.</summary>
/// <param name="Server">The base address it went to.</param>
/// <param name="SentLastEventId">The <c>Last-Event-ID</c> it sent (null: none).</param>
/// <param name="Items">Events dispatched on it.</param>
/// <param name="Error">What went wrong, for <see cref="EventSourceOutcome.Failed"/>, <see cref="EventSourceOutcome.Broken"/> and <see cref="EventSourceOutcome.Stalled"/>.</param>
public sealed record EventSourceConnection(Uri Server, string? SentLastEventId, EventSourceOutcome Outcome, int Items, string? Error);
