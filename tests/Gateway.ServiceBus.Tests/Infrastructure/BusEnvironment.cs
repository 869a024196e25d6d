using System.Text;
using Azure.Messaging.ServiceBus;
using Gateway.TestBroker;

namespace Gateway.ServiceBus.Tests.Infrastructure;

/// <summary>
/// One test's Service Bus: the in-repo test broker on 127.0.0.1 and a free port with the gateway's entities
/// (topic <c>events</c> with subscription <c>gateway</c>, topic <c>events-fanout</c>), and a real
/// <see cref="ServiceBusClient"/> for the test's own producers and receivers.
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

    public static async Task<BusEnvironment> StartAsync(TestServiceBusBrokerOptions? options = null)
    {
        var broker = await TestServiceBusBroker.StartAsync(options ?? new TestServiceBusBrokerOptions());
        broker.CreateTopic(Topic);
        broker.CreateSubscription(Topic, Subscription);
        broker.CreateTopic(FanoutTopic);
        return new BusEnvironment(broker);
    }

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
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
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
