namespace Gateway.TestBroker;

/// <summary>
/// One lock the broker extended: the entity (e.g. <c>events/Subscriptions/gateway</c>), the message, how many times it
/// has been delivered (released deliveries included), how many of those failed (lock lapsed or abandoned: the
/// delivery count that dead-letters at <see cref="TestServiceBusBrokerOptions.MaxDeliveryCount"/>), and the new expiry.
/// </summary>
public readonly record struct LockRenewal(string Entity, long SequenceNumber, int Deliveries, int FailedDeliveries, DateTime LockedUntilUtc);
