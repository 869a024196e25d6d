using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace Gateway.TestBroker.Entities;

/// <summary>Builds what a receiver gets for a queued message: the producer's sections plus the broker annotations the client reads.</summary>
internal static class DeliveryMessages
{
    public static readonly Symbol LockToken = new("x-opt-lock-token");
    static readonly Symbol SequenceNumber = new("x-opt-sequence-number");
    static readonly Symbol EnqueuedTime = new("x-opt-enqueued-time");
    static readonly Symbol LockedUntil = new("x-opt-locked-until");
    static readonly Symbol DeadLetterSource = new("x-opt-deadletter-source");

    public static Message Create(QueuedMessage queued, Guid? lockToken, DateTime? lockedUntilUtc)
    {
        var content = queued.Content;
        var annotations = new MessageAnnotations();
        if (content.MessageAnnotations is not null)
        {
            foreach (var entry in content.MessageAnnotations.Map)
            {
                annotations.Map[entry.Key] = entry.Value;
            }
        }

        annotations[SequenceNumber] = queued.SequenceNumber;
        annotations[EnqueuedTime] = queued.EnqueuedTimeUtc;
        if (lockToken is { } token)
        {
            // The delivery tag carries the lock token too (LockTokenTagHandler); the annotation lets it find it.
            annotations[LockToken] = token;
        }

        if (lockedUntilUtc is { } until)
        {
            annotations[LockedUntil] = until;
        }

        if (queued.DeadLetterSource is not null)
        {
            annotations[DeadLetterSource] = queued.DeadLetterSource;
        }

        return new Message
        {
            Header = new Header
            {
                // The client shows delivery-count + 1 as ServiceBusReceivedMessage.DeliveryCount.
                DeliveryCount = (uint)queued.FailedDeliveries,
                Durable = content.Header?.Durable ?? false,
                Priority = content.Header?.Priority ?? 4,
            },
            MessageAnnotations = annotations,
            Properties = content.Properties,
            ApplicationProperties = queued.ApplicationProperties,
            BodySection = content.BodySection,
            Footer = content.Footer,
        };
    }

    public static BrokerMessage Snapshot(QueuedMessage queued)
    {
        var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (queued.ApplicationProperties is not null)
        {
            foreach (var entry in queued.ApplicationProperties.Map)
            {
                properties[entry.Key.ToString() ?? string.Empty] = entry.Value;
            }
        }

        return new BrokerMessage(
            queued.SequenceNumber,
            queued.Deliveries,
            queued.Content.Properties?.Subject,
            BodyBytes(queued.Content),
            properties,
            queued.DeadLetterReason,
            queued.DeadLetterErrorDescription,
            queued.SessionId);
    }

    static byte[] BodyBytes(Message content) => content.BodySection switch
    {
        DataList list => Enumerable.Range(0, list.Count).SelectMany(i => list[i].Binary).ToArray(),
        Data data => data.Binary,
        AmqpValue { Value: byte[] bytes } => bytes,
        AmqpValue { Value: string text } => System.Text.Encoding.UTF8.GetBytes(text),
        _ => [],
    };
}
