using System.Collections.Concurrent;
using Amqp;

namespace Gateway.TestBroker.Entities;

/// <summary>A topic: every published message is copied into each of its subscriptions (no filters).</summary>
internal sealed class BrokerTopic(string name, EntitySettings settings)
{
    readonly ConcurrentDictionary<string, BrokerSubscription> subscriptions = new(StringComparer.OrdinalIgnoreCase);
    readonly Dictionary<string, DateTimeOffset> recentMessageIds = new(StringComparer.Ordinal);
    DateTimeOffset lastPrune;

    public string Name { get; } = name;

    public ICollection<BrokerSubscription> Subscriptions => subscriptions.Values;

    /// <summary>Creates the subscription; returns false when it already exists.</summary>
    public bool TryAddSubscription(string subscriptionName, TimeSpan? autoDeleteOnIdle, bool requiresSession, out BrokerSubscription subscription)
    {
        var created = false;
        subscription = subscriptions.GetOrAdd(subscriptionName, n =>
        {
            created = true;
            return new BrokerSubscription(Name, n, settings, autoDeleteOnIdle, requiresSession);
        });
        return created;
    }

    public BrokerSubscription? FindSubscription(string subscriptionName) =>
        subscriptions.TryGetValue(subscriptionName, out var subscription) ? subscription : null;

    public bool RemoveSubscription(string subscriptionName) => subscriptions.TryRemove(subscriptionName, out _);

    public void Publish(Message message)
    {
        if (IsDuplicate(message))
        {
            return;
        }

        foreach (var subscription in subscriptions.Values)
        {
            subscription.Active.Enqueue(message);
        }
    }

    /// <summary>
    /// With duplicate detection on: true for a MessageId seen within the window (a producer's resend after a lost
    /// answer), which Service Bus accepts and drops.
    /// </summary>
    bool IsDuplicate(Message message)
    {
        if (settings.DuplicateDetectionWindow is not { } window || message.Properties?.MessageId is not { } id)
        {
            return false;
        }

        var now = settings.TimeProvider.GetUtcNow();
        lock (recentMessageIds)
        {
            if (now - lastPrune > TimeSpan.FromSeconds(1))
            {
                lastPrune = now;
                foreach (var old in recentMessageIds.Where(e => now - e.Value > window).Select(e => e.Key).ToList())
                {
                    recentMessageIds.Remove(old);
                }
            }

            if (recentMessageIds.TryGetValue(id, out var seen) && now - seen <= window)
            {
                return true;
            }

            recentMessageIds[id] = now;
            return false;
        }
    }
}
