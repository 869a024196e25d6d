using Amqp;
using Amqp.Listener;
using Gateway.TestBroker.Administration;
using Gateway.TestBroker.Entities;
using Gateway.TestBroker.Network;
using Gateway.TestBroker.Protocol;

namespace Gateway.TestBroker;

/// <summary>
/// A small in-process Service Bus stand-in for tests: topics with subscriptions, peek-lock, dead-letter queues,
/// spoken over AMQP 1.0 (AMQPNetLite's listener) so that the official <c>Azure.Messaging.ServiceBus</c> client
/// talks to it unchanged through <see cref="ConnectionString"/>; the administration client's HTTP calls for
/// topics and subscriptions are answered on the same port.
/// </summary>
public sealed class TestServiceBusBroker : IAsyncDisposable
{
    static readonly TimeSpan LockSweepPeriod = TimeSpan.FromMilliseconds(100);

    readonly BrokerEntities entities;
    readonly AcceptedTransports transports = new();
    readonly BrokerListener listener;
    readonly ContainerHost host;
    readonly ITimer lockSweep;

    TestServiceBusBroker(TestServiceBusBrokerOptions options)
    {
        entities = new BrokerEntities(new EntitySettings(
            options.LockDuration,
            options.MaxDeliveryCount,
            options.TimeProvider,
            options.OnLockRenewed,
            options.DuplicateDetectionWindow,
            options.LoseDelivery,
            options.SessionAcceptWait,
            options.OnSessionLock));
        listener = new BrokerListener(transports, new AdministrationHttp(new AtomAdministration(entities)));

        // AMQPNetLite's listener takes its connections from the transports our own TCP listener accepted.
        host = new ContainerHost(new Address("127.0.0.1", 1, null, null, "/", AcceptedTransports.Scheme));
        host.CustomTransports.Add(AcceptedTransports.Scheme, transports);
        var amqpListener = host.Listeners[0];
        amqpListener.SASL.EnableMechanism(AcceptAnySaslProfile.Name, new AcceptAnySaslProfile());
        var tagHandler = new LockTokenTagHandler();
        amqpListener.HandlerFactory = _ => tagHandler;
        host.RegisterLinkProcessor(new BrokerLinkProcessor(entities, options.MaxMessageSize, options.OnSending));
        host.Open();
        listener.Start(options.Port);

        lockSweep = options.TimeProvider.CreateTimer(_ => entities.ExpireLocks(), null, LockSweepPeriod, LockSweepPeriod);
    }

    /// <summary>The TCP port on 127.0.0.1 (the same after <see cref="Stop"/> and <see cref="Start"/>).</summary>
    public int Port => listener.Port;

    /// <summary>A connection string the Service Bus client and administration client accept (plain TCP/HTTP, any key).</summary>
    public string ConnectionString =>
        $"Endpoint=sb://localhost:{Port};SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;";

    /// <summary>Starts a broker listening on 127.0.0.1 (a free port unless <see cref="TestServiceBusBrokerOptions.Port"/> is set).</summary>
    public static Task<TestServiceBusBroker> StartAsync(TestServiceBusBrokerOptions? options = null)
    {
        options ??= new TestServiceBusBrokerOptions();
        options.Validate();
        return Task.FromResult(new TestServiceBusBroker(options));
    }

    /// <summary>Creates a topic (no-op when it exists).</summary>
    public void CreateTopic(string topic) => entities.TryAddTopic(topic, out _);

    /// <summary>
    /// Creates a subscription of an existing topic (no-op when it exists); it receives a copy of each later message.
    /// With <paramref name="requiresSession"/> only session receivers may attach, and a message without a SessionId is
    /// dead-lettered there.
    /// </summary>
    public void CreateSubscription(string topic, string subscription, bool requiresSession = false) =>
        Topic(topic).TryAddSubscription(subscription, autoDeleteOnIdle: null, requiresSession, out _);

    public bool SubscriptionExists(string topic, string subscription) =>
        entities.FindTopic(topic)?.FindSubscription(subscription) is not null;

    /// <summary>Messages waiting or locked in a subscription (not dead-lettered).</summary>
    public int ActiveMessageCount(string topic, string subscription) => Subscription(topic, subscription).Active.ActiveCount;

    /// <summary>Snapshots of the messages waiting or locked in a subscription.</summary>
    public IReadOnlyList<BrokerMessage> ActiveMessages(string topic, string subscription) => Subscription(topic, subscription).Active.Snapshot();

    /// <summary>Receivers attached to the subscription now.</summary>
    public int ReceiverCount(string topic, string subscription) => Subscription(topic, subscription).Active.ConsumerCount;

    /// <summary>Snapshots of a subscription's dead-lettered messages, with their reason and description.</summary>
    public IReadOnlyList<BrokerMessage> DeadLetters(string topic, string subscription) => Subscription(topic, subscription).DeadLetter.Snapshot();

    /// <summary>The sessions of a subscription that are locked by a receiver now.</summary>
    public IReadOnlyList<string> LockedSessions(string topic, string subscription) => Subscription(topic, subscription).Active.LockedSessions();

    /// <summary>Simulates an outage: stops listening and drops every connection. Messages and locks are kept.</summary>
    public void Stop() => listener.Stop();

    /// <summary>Listens again on the same port after <see cref="Stop"/>; clients reconnect on their own.</summary>
    public void Start() => listener.Start(Port);

    public async ValueTask DisposeAsync()
    {
        await lockSweep.DisposeAsync().ConfigureAwait(false);
        listener.Dispose();
        host.Close();
        transports.Dispose();
    }

    BrokerTopic Topic(string topic) =>
        entities.FindTopic(topic) ?? throw new InvalidOperationException($"Topic '{topic}' does not exist.");

    BrokerSubscription Subscription(string topic, string subscription) =>
        Topic(topic).FindSubscription(subscription)
        ?? throw new InvalidOperationException($"Subscription '{topic}/Subscriptions/{subscription}' does not exist.");
}
