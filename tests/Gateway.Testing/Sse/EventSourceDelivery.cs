using System.Net.ServerSentEvents;

namespace Gateway.Testing.Sse;

/// <summary>One event an <see cref="EventSourceClient"/> dispatched: the item, the connection (1, 2, …) and the server it came from.</summary>
public readonly record struct EventSourceDelivery(SseItem<string> Item, int Connection, Uri Server);
