namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>What one client received, as the verdict judges it.</summary>
public sealed record ChaosReceiver(string Name, string Channel, IReadOnlyList<ChaosDelivery> Received);
