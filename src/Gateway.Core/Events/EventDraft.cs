namespace Gateway.Core.Events;

/// <summary>
/// An event on its way into a channel's log, before it has an offset.
/// <paramref name="SourceId"/> identifies the source message (e.g. a Service Bus sequence number) so that a
/// redelivered message is recognised and appended only once; null when the source gives no such guarantee.
/// </summary>
public sealed record EventDraft(string? EventName, ReadOnlyMemory<byte> Data, string? SourceId = null);
