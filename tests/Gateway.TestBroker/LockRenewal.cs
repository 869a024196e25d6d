namespace Gateway.TestBroker;

/// <summary>One lock the broker extended: the entity (e.g. <c>events/Subscriptions/gateway</c>), the message, how many times it has been delivered, and the new expiry.</summary>
public readonly record struct LockRenewal(string Entity, long SequenceNumber, int Deliveries, DateTime LockedUntilUtc);
