namespace Gateway.Azure.Hosting;

/// <summary>The configuration keys of the Azure connections; each holds a connection string, or identity settings below it.</summary>
public static class GatewayConnections
{
    /// <summary>Table storage for the event log (<c>UseDevelopmentStorage=true</c> for Azurite).</summary>
    public const string EventLogStorage = "EventLogStorage";

    /// <summary>The Service Bus namespace with the ingest and fan-out topics.</summary>
    public const string EventBus = "EventBus";
}
