namespace Gateway.TestBroker.Entities;

/// <summary>A topic subscription: its active queue and its dead-letter sub-queue.</summary>
internal sealed class BrokerSubscription
{
    public BrokerSubscription(string topicName, string name, EntitySettings settings, TimeSpan? autoDeleteOnIdle, bool requiresSession)
    {
        Name = name;
        AutoDeleteOnIdle = autoDeleteOnIdle;
        RequiresSession = requiresSession;
        var path = $"{topicName}/Subscriptions/{name}";

        // The dead-letter queue of a session subscription does not require sessions (as in Service Bus).
        DeadLetter = new EntityQueue(path + "/$deadletterqueue", settings, deadLetterQueue: null, requiresSession: false);
        Active = new EntityQueue(path, settings, DeadLetter, requiresSession);
    }

    public string Name { get; }

    /// <summary>Recorded from the administration call; the test broker does not delete idle subscriptions.</summary>
    public TimeSpan? AutoDeleteOnIdle { get; }

    /// <summary>Only session receivers may attach; each session's messages go to one receiver at a time, in order.</summary>
    public bool RequiresSession { get; }

    public EntityQueue Active { get; }

    public EntityQueue DeadLetter { get; }
}
