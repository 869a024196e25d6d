namespace Gateway.TestBroker;

/// <summary>
/// A message the broker is about to hand to a receiver (<see cref="TestServiceBusBrokerOptions.LoseDelivery"/>): the
/// entity (e.g. <c>events/Subscriptions/gateway</c>), the message, its session (null outside sessions), and how many
/// times it was handed out before.
/// </summary>
public readonly record struct DeliveryAttempt(string Entity, long SequenceNumber, string? SessionId, int EarlierDeliveries);
