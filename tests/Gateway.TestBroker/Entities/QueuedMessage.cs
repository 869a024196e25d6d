using Amqp;
using Amqp.Framing;

namespace Gateway.TestBroker.Entities;

/// <summary>One message in one entity: the producer's sections (never mutated) plus what the entity adds.</summary>
internal sealed class QueuedMessage
{
    public QueuedMessage(Message content, long sequenceNumber, DateTime enqueuedTimeUtc)
    {
        Content = content;
        SequenceNumber = sequenceNumber;
        EnqueuedTimeUtc = enqueuedTimeUtc;
        ApplicationProperties = content.ApplicationProperties;
    }

    /// <summary>The sections as the producer sent them; shared by the copies in every subscription.</summary>
    public Message Content { get; }

    public long SequenceNumber { get; }

    /// <summary>The producer's SessionId (AMQP properties.group-id).</summary>
    public string? SessionId => Content.Properties?.GroupId;

    public DateTime EnqueuedTimeUtc { get; }

    /// <summary>Deliveries that ended without completion (abandon, lock expiry): the AMQP header.delivery-count.</summary>
    public int FailedDeliveries { get; set; }

    /// <summary>Times the message was handed to a receiver.</summary>
    public int Deliveries { get; set; }

    /// <summary>The producer's application properties, or this entity's own copy once they were modified.</summary>
    public ApplicationProperties? ApplicationProperties { get; private set; }

    public string? DeadLetterSource { get; private set; }

    public string? DeadLetterReason { get; private set; }

    public string? DeadLetterErrorDescription { get; private set; }

    /// <summary>Applies properties set by an abandon or dead-letter call (copy on write: the content is shared).</summary>
    public void ModifyApplicationProperties(IEnumerable<KeyValuePair<string, object?>> properties)
    {
        var copy = new ApplicationProperties();
        if (ApplicationProperties is not null)
        {
            foreach (var entry in ApplicationProperties.Map)
            {
                copy.Map[entry.Key] = entry.Value;
            }
        }

        foreach (var (key, value) in properties)
        {
            copy.Map[key] = value;
        }

        ApplicationProperties = copy;
    }

    public void MarkDeadLettered(string source, string? reason, string? description)
    {
        DeadLetterSource = source;
        DeadLetterReason = reason;
        DeadLetterErrorDescription = description;
        var added = new List<KeyValuePair<string, object?>>();
        if (reason is not null)
        {
            added.Add(new("DeadLetterReason", reason));
        }

        if (description is not null)
        {
            added.Add(new("DeadLetterErrorDescription", description));
        }

        ModifyApplicationProperties(added);
    }
}
