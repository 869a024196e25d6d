using Azure.Messaging.ServiceBus;

namespace Gateway.TestBroker.Tests;

/// <summary>A broker with topic <c>events</c> and subscription <c>gateway</c>, plus a real client, per test.</summary>
internal sealed class BrokerFixture : IAsyncDisposable
{
    public const string Topic = "events";
    public const string Subscription = "gateway";

    BrokerFixture(TestServiceBusBroker broker)
    {
        Broker = broker;
        Client = new ServiceBusClient(broker.ConnectionString, new ServiceBusClientOptions
        {
            // Fail fast instead of the client's minute-long default when something is wrong.
            RetryOptions = new ServiceBusRetryOptions { TryTimeout = TimeSpan.FromSeconds(10), MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(200) },
        });
    }

    public TestServiceBusBroker Broker { get; }

    public ServiceBusClient Client { get; }

    public static async Task<BrokerFixture> StartAsync(TestServiceBusBrokerOptions? options = null, params string[] subscriptions)
    {
        var broker = await TestServiceBusBroker.StartAsync(options);
        broker.CreateTopic(Topic);
        foreach (var subscription in subscriptions.Length == 0 ? [Subscription] : subscriptions)
        {
            broker.CreateSubscription(Topic, subscription);
        }

        return new BrokerFixture(broker);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
