namespace Gateway.TestBroker.Entities;

/// <summary>A topic subscription: its active queue and its dead-letter sub-queue.</summary>
internal sealed class BrokerSubscription
{
    public BrokerSubscription(string topicName, string name, EntitySettings settings, TimeSpan? autoDeleteOnIdle)
    {
        Name = name;
        AutoDeleteOnIdle = autoDeleteOnIdle;
        var path = $"{topicName}/Subscriptions/{name}";
        DeadLetter = new EntityQueue(path + "/$deadletterqueue", settings, deadLetterQueue: null);
        Active = new EntityQueue(path, settings, DeadLetter);
    }

    public string Name { get; }

    /// <summary>Recorded from the administration call; the test broker does not delete idle subscriptions.</summary>
    public TimeSpan? AutoDeleteOnIdle { get; }

    public EntityQueue Active { get; }

    public EntityQueue DeadLetter { get; }
}
