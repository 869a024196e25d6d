using System.Collections.Concurrent;

namespace Gateway.TestBroker.Entities;

/// <summary>The broker's namespace: topics by name (case-insensitive, as in Service Bus).</summary>
internal sealed class BrokerEntities(EntitySettings settings)
{
    readonly ConcurrentDictionary<string, BrokerTopic> topics = new(StringComparer.OrdinalIgnoreCase);

    public EntitySettings Settings { get; } = settings;

    /// <summary>Creates the topic; returns false when it already exists.</summary>
    public bool TryAddTopic(string name, out BrokerTopic topic)
    {
        var created = false;
        topic = topics.GetOrAdd(name, n =>
        {
            created = true;
            return new BrokerTopic(n, Settings);
        });
        return created;
    }

    public BrokerTopic? FindTopic(string name) => topics.TryGetValue(name, out var topic) ? topic : null;

    public bool RemoveTopic(string name) => topics.TryRemove(name, out _);

    /// <summary>The queue a receiver reads for an address: a subscription or its dead-letter queue.</summary>
    public EntityQueue? FindQueue(EntityAddress address)
    {
        if (address.Subscription is null)
        {
            return null;
        }

        var subscription = FindTopic(address.Topic)?.FindSubscription(address.Subscription);
        return address.DeadLetter ? subscription?.DeadLetter : subscription?.Active;
    }

    public void ExpireLocks()
    {
        foreach (var subscription in topics.Values.SelectMany(t => t.Subscriptions))
        {
            subscription.Active.ExpireLocks();
            subscription.DeadLetter.ExpireLocks();
        }
    }
}
