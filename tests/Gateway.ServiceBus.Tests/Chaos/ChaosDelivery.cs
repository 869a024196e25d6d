namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>One event a client received: its offset (-1 without an id), the producer's sequence number (-1 if not one of its events), its type, id and data, the connection it came on and when.</summary>
public sealed record ChaosDelivery(long Offset, int Seq, string EventType, string? Id, string Data, int Connection, TimeSpan At);
