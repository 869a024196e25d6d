namespace Gateway.Core.Bus;

/// <summary>The bus takes no more events because the host is stopping; the publisher should retry elsewhere or later.</summary>
public sealed class EventBusClosedException(string message) : Exception(message);
