using System.Text;
using Azure.Messaging.ServiceBus;
using Gateway.Core.Log;
using Gateway.TestBroker;
using Gateway.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Testing.ServiceBus;

/// <summary>
/// One test's Service Bus: the in-repo test broker on 127.0.0.1 and a free port with the gateway's entities
/// (topic <c>events</c> with subscription <c>gateway</c>, topic <c>events-fanout</c>), a real
/// <see cref="ServiceBusClient"/> for the test's own producers and receivers, and the settings that point a gateway at it.
/// </summary>
public sealed class BusEnvironment : IAsyncDisposable
{
    public const string Topic = "events";
    public const string Subscription = "gateway";
    public const string FanoutTopic = "events-fanout";

    private BusEnvironment(TestServiceBusBroker broker)
    {
        Broker = broker;
        Client = new ServiceBusClient(broker.ConnectionString);
        Producer = Client.CreateSender(Topic);
    }

    public TestServiceBusBroker Broker { get; }

    public string ConnectionString => Broker.ConnectionString;

    public ServiceBusClient Client { get; }

    /// <summary>A producer on the ingest topic, as an application would use the SDK.</summary>
    public ServiceBusSender Producer { get; }

    /// <summary>
    /// Gateway settings for this bus (<c>EventBus</c>), with the start-up noise quietened: the health check logs
    /// Degraded while the receivers connect, and a lone instance warns about its in-memory log.
    /// </summary>
    public (string Key, string Value)[] GatewaySettings =>
    [
        ("EventBus", ConnectionString),
        ("Logging:LogLevel:Gateway.Core.Bus.EventIngestor", "Error"),
        ("Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks", "Error"),
        ("Logging:LogLevel:Gateway.Azure.ServiceBus.ServiceBusIngestService", "Error"),
    ];

    /// <param name="sessions">
    /// The ingest subscription requires sessions (for a gateway with <c>Gateway:ServiceBus:Sessions</c> on; producers
    /// then set SessionId = channel).
    /// </param>
    public static async Task<BusEnvironment> StartAsync(TestServiceBusBrokerOptions? options = null, bool sessions = false)
    {
        var broker = await TestServiceBusBroker.StartAsync(options ?? new TestServiceBusBrokerOptions());
        broker.CreateTopic(Topic);
        broker.CreateSubscription(Topic, Subscription, requiresSession: sessions);
        broker.CreateTopic(FanoutTopic);
        return new BusEnvironment(broker);
    }

    /// <summary>
    /// Starts an in-process gateway on this bus (short receive waits, so tests react quickly) and returns once its
    /// bus is healthy.
    /// </summary>
    /// <param name="sharedLog">A log shared with other instances (stands in for the Table log), or null for the host's own.</param>
    /// <param name="configure">Extra service registrations, applied after the gateway's own (last one wins).</param>
    /// <param name="settings">Configuration keys, e.g. <c>Gateway:ServiceBus:InstanceId</c>.</param>
    public Task<GatewayTestHost> StartGatewayAsync(
        InMemoryEventLog? sharedLog = null,
        Action<IServiceCollection>? configure = null,
        params (string Key, string Value)[] settings) =>
        GatewayTestHost.StartAsync(new GatewayTestHostOptions
        {
            Settings = [.. GatewaySettings, ("Gateway:ServiceBus:ReceiveWaitTime", "00:00:00.200"), .. settings],
            Configure = builder =>
            {
                if (sharedLog is not null)
                {
                    // IEventLog resolves to the InMemoryEventLog registration: make that the shared instance.
                    builder.Services.AddSingleton(sharedLog);
                }

                configure?.Invoke(builder.Services);
            },
            UntilBusHealthy = true,
        });

    /// <summary>The producer contract: Subject = event name, application property channel, body = data.</summary>
    public static ServiceBusMessage Event(string? channel, string data, string? eventName = null) =>
        Event(channel, Encoding.UTF8.GetBytes(data), eventName);

    public static ServiceBusMessage Event(string? channel, byte[] data, string? eventName = null)
    {
        var message = new ServiceBusMessage(data) { Subject = eventName };
        if (channel is not null)
        {
            message.ApplicationProperties["channel"] = channel;
        }

        return message;
    }

    /// <summary>Receives exactly <paramref name="count"/> dead letters of the ingest subscription (bounded).</summary>
    public async Task<List<ServiceBusReceivedMessage>> ReceiveDeadLettersAsync(int count)
    {
        await using var receiver = Client.CreateReceiver(Topic, Subscription, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var received = new List<ServiceBusReceivedMessage>();
        using var timeout = new CancellationTokenSource(Waits.Item);
        while (received.Count < count)
        {
            var batch = await receiver.ReceiveMessagesAsync(count - received.Count, TimeSpan.FromSeconds(1), timeout.Token);
            foreach (var message in batch)
            {
                await receiver.CompleteMessageAsync(message, timeout.Token);
                received.Add(message);
            }
        }

        return received;
    }

    public async ValueTask DisposeAsync()
    {
        await Producer.DisposeAsync();
        await Client.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
