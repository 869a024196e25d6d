using System.Collections.Concurrent;
using Amqp;

namespace Gateway.TestBroker.Entities;

/// <summary>A topic: every published message is copied into each of its subscriptions (no filters).</summary>
internal sealed class BrokerTopic(string name, EntitySettings settings)
{
    readonly ConcurrentDictionary<string, BrokerSubscription> subscriptions = new(StringComparer.OrdinalIgnoreCase);

    public string Name { get; } = name;

    public ICollection<BrokerSubscription> Subscriptions => subscriptions.Values;

    /// <summary>Creates the subscription; returns false when it already exists.</summary>
    public bool TryAddSubscription(string subscriptionName, TimeSpan? autoDeleteOnIdle, out BrokerSubscription subscription)
    {
        var created = false;
        subscription = subscriptions.GetOrAdd(subscriptionName, n =>
        {
            created = true;
            return new BrokerSubscription(Name, n, settings, autoDeleteOnIdle);
        });
        return created;
    }

    public BrokerSubscription? FindSubscription(string subscriptionName) =>
        subscriptions.TryGetValue(subscriptionName, out var subscription) ? subscription : null;

    public bool RemoveSubscription(string subscriptionName) => subscriptions.TryRemove(subscriptionName, out _);

    public void Publish(Message message)
    {
        foreach (var subscription in subscriptions.Values)
        {
            subscription.Active.Enqueue(message);
        }
    }
}
