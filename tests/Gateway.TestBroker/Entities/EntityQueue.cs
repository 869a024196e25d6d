using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace Gateway.TestBroker.Entities;

/// <summary>
/// The messages of one entity (a subscription or its dead-letter queue): available ones in sequence order,
/// peek-locked ones by lock token, and the attached receivers (each knows its link credit). Deliveries are sent
/// under the queue's lock so one receiver sees them in sequence order. A queue that requires sessions hands each
/// session's messages only to the receiver that holds the session (<c>EntityQueue.Sessions.cs</c>).
/// </summary>
internal sealed partial class EntityQueue(string path, EntitySettings settings, EntityQueue? deadLetterQueue, bool requiresSession)
{
    public static readonly Symbol LockLostCondition = new("com.microsoft:message-lock-lost");
    static readonly Symbol DeadLetterCondition = new("com.microsoft:dead-letter");

    readonly Lock gate = new();
    readonly SortedDictionary<long, QueuedMessage> available = [];
    readonly Dictionary<Guid, MessageLock> locks = [];
    readonly List<IMessageConsumer> consumers = [];
    int nextConsumer;
    long lastSequenceNumber;

    /// <summary>The entity path as the client names it, e.g. <c>events/Subscriptions/gateway</c>.</summary>
    public string Path { get; } = path;

    public int ActiveCount
    {
        get
        {
            lock (gate)
            {
                return available.Count + locks.Count;
            }
        }
    }

    /// <summary>Adds a producer's message with the next sequence number of this entity.</summary>
    public void Enqueue(Message content)
    {
        QueuedMessage queued;
        lock (gate)
        {
            queued = new QueuedMessage(content, ++lastSequenceNumber, settings.TimeProvider.GetUtcNow().UtcDateTime);
            if (RequiresSession && string.IsNullOrEmpty(queued.SessionId))
            {
                // No session to deliver it in: it goes straight to the dead-letter queue.
                queued.MarkDeadLettered(Path, "SessionIdIsMissing", "The entity requires sessions and the message has no SessionId.");
            }
            else
            {
                available[queued.SequenceNumber] = queued;
                PumpLocked();
                return;
            }
        }

        MoveToDeadLetter(queued);
    }

    /// <summary>Adds a dead-lettered message; it keeps its sequence number.</summary>
    public void EnqueueDeadLettered(QueuedMessage message)
    {
        lock (gate)
        {
            available[message.SequenceNumber] = message;
            PumpLocked();
        }
    }

    public void AddConsumer(IMessageConsumer consumer)
    {
        lock (gate)
        {
            consumers.Add(consumer);
        }
    }

    public void RemoveConsumer(IMessageConsumer consumer)
    {
        lock (gate)
        {
            consumers.Remove(consumer);
            if (consumer.SessionId is { } sessionId)
            {
                // A closed session receiver gives its session back (and what it held locked in it).
                UnlockSessionLocked(sessionId, consumer);
                PumpLocked();
            }
        }
    }

    /// <summary>Applies a flow from the receiver (the change of its delivery limit), sends what it allows, and answers a drain.</summary>
    /// <summary>Receivers attached to this queue now (a test waits on it to know a dropped one is gone).</summary>
    public int ConsumerCount
    {
        get
        {
            lock (gate)
            {
                return consumers.Count;
            }
        }
    }

    public void OnFlow(IMessageConsumer consumer, int limitChange, bool draining)
    {
        lock (gate)
        {
            if (!consumers.Contains(consumer))
            {
                return;
            }

            consumer.ApplyFlow(limitChange);
            PumpLocked();
            if (draining)
            {
                // Everything available was sent: answer the drain (the client drains when it closes a receiver) now.
                consumer.CompleteDrain();
            }
        }
    }

    /// <summary>Applies a receiver's outcome for a locked message; returns the state to settle the delivery with.</summary>
    public DeliveryState Settle(Guid lockToken, DeliveryState? state)
    {
        QueuedMessage? toDeadLetter = null;
        DeliveryState reply;
        lock (gate)
        {
            if (!locks.Remove(lockToken, out var held))
            {
                return RequiresSession
                    ? new Rejected { Error = new Error(SessionLockLostCondition) { Description = "The session lock was lost (expired, or the session was released)." } }
                    : new Rejected { Error = new Error(LockLostCondition) { Description = "The lock on the message was lost (expired, or already settled)." } };
            }

            var message = held.Message;
            switch (state)
            {
                case Accepted:
                    reply = new Accepted();
                    break;
                case Rejected rejected:
                    toDeadLetter = DeadLetterFromRejected(message, rejected.Error);
                    reply = new Rejected();
                    break;
                case Modified { UndeliverableHere: true }:
                    locks[lockToken] = held;
                    return new Rejected { Error = new Error(ErrorCode.NotImplemented) { Description = "The test broker does not support deferral." } };
                case Modified modified:
                    if (modified.MessageAnnotations is { Count: > 0 } changes)
                    {
                        message.ModifyApplicationProperties(changes.Select(e => new KeyValuePair<string, object?>(e.Key.ToString()!, e.Value)));
                    }

                    toDeadLetter = ReturnFailed(message);
                    reply = new Modified();
                    break;
                default:
                    // Released: the receiver gave the message back without processing it; not a failed delivery.
                    available[message.SequenceNumber] = message;
                    reply = new Released();
                    break;
            }

            PumpLocked();
        }

        MoveToDeadLetter(toDeadLetter);
        return reply;
    }

    /// <summary>Extends a lock; null when the lock is gone.</summary>
    public DateTime? RenewLock(Guid lockToken)
    {
        LockRenewal renewal;
        lock (gate)
        {
            if (!locks.TryGetValue(lockToken, out var held))
            {
                return null;
            }

            held.LockedUntilUtc = settings.TimeProvider.GetUtcNow().UtcDateTime + settings.LockDuration;
            renewal = new LockRenewal(Path, held.Message.SequenceNumber, held.Message.Deliveries, held.Message.FailedDeliveries, held.LockedUntilUtc);
        }

        settings.OnLockRenewed?.Invoke(renewal);
        return renewal.LockedUntilUtc;
    }

    /// <summary>Messages with a sequence number at or above <paramref name="fromSequenceNumber"/>, locked or not, in order.</summary>
    public IReadOnlyList<QueuedMessage> Peek(long fromSequenceNumber, int count)
    {
        lock (gate)
        {
            return available.Values.Concat(locks.Values.Select(l => l.Message))
                .Where(m => m.SequenceNumber >= fromSequenceNumber)
                .OrderBy(m => m.SequenceNumber)
                .Take(count)
                .ToList();
        }
    }

    public IReadOnlyList<BrokerMessage> Snapshot()
    {
        lock (gate)
        {
            return available.Values.Concat(locks.Values.Select(l => l.Message))
                .OrderBy(m => m.SequenceNumber)
                .Select(DeliveryMessages.Snapshot)
                .ToList();
        }
    }

    /// <summary>Returns messages whose lock lapsed to the queue (one failed delivery each) and redelivers them.</summary>
    public void ExpireLocks()
    {
        var now = settings.TimeProvider.GetUtcNow().UtcDateTime;
        var deadLetters = new List<QueuedMessage>();
        lock (gate)
        {
            ExpireSessionsLocked(now);

            // A session message's lock is its session's (expired above).
            foreach (var (token, held) in locks.Where(l => !RequiresSession && l.Value.LockedUntilUtc <= now).ToList())
            {
                locks.Remove(token);
                if (ReturnFailed(held.Message) is { } exhausted)
                {
                    deadLetters.Add(exhausted);
                }
            }

            PumpLocked();
        }

        deadLetters.ForEach(MoveToDeadLetter);
    }

    /// <summary>Counts a failed delivery; returns the message when it must go to the dead-letter queue instead.</summary>
    QueuedMessage? ReturnFailed(QueuedMessage message)
    {
        // Only failed deliveries count towards the limit, as they do towards the delivery count: a delivery the
        // receiver released unprocessed does not (AMQP 1.0 3.4.4; the Service Bus client releases a message that
        // arrives while no receive call waits for it, and the broker sends it again at once while credit remains).
        message.FailedDeliveries++;
        if (deadLetterQueue is not null && message.FailedDeliveries >= settings.MaxDeliveryCount)
        {
            message.MarkDeadLettered(
                Path,
                "MaxDeliveryCountExceeded",
                $"Message could not be consumed after {settings.MaxDeliveryCount} delivery attempts.");
            return message;
        }

        available[message.SequenceNumber] = message;
        return null;
    }

    QueuedMessage? DeadLetterFromRejected(QueuedMessage message, Error? error)
    {
        if (deadLetterQueue is null)
        {
            // A dead-letter queue has no dead-letter queue of its own: the message just stays there.
            available[message.SequenceNumber] = message;
            return null;
        }

        string? reason = null;
        string? description = null;
        var others = new List<KeyValuePair<string, object?>>();
        if (error is not null && Equals(error.Condition, DeadLetterCondition) && error.Info is not null)
        {
            foreach (var entry in error.Info)
            {
                var key = entry.Key.ToString()!;
                switch (key)
                {
                    case "DeadLetterReason":
                        reason = entry.Value as string;
                        break;
                    case "DeadLetterErrorDescription":
                        description = entry.Value as string;
                        break;
                    default:
                        others.Add(new(key, entry.Value));
                        break;
                }
            }
        }

        if (others.Count > 0)
        {
            message.ModifyApplicationProperties(others);
        }

        if (error is not null && !Equals(error.Condition, DeadLetterCondition))
        {
            // Not the client's dead-letter call (that carries the dead-letter condition): keep the AMQP error the
            // rejection came with, so a run that finds such a dead letter can tell who rejected it and why.
            description ??= $"rejected with {error.Condition}: {error.Description}";
        }

        message.MarkDeadLettered(Path, reason, description);
        return message;
    }

    void MoveToDeadLetter(QueuedMessage? message)
    {
        if (message is not null)
        {
            deadLetterQueue?.EnqueueDeadLettered(message);
        }
    }

    void PumpLocked()
    {
        if (RequiresSession)
        {
            PumpSessionsLocked();
            return;
        }

        while (available.Count > 0 && NextConsumerWithCredit() is { } consumer)
        {
            var message = available.First().Value;
            available.Remove(message.SequenceNumber);
            if (!consumer.SettlesOnSend && IsLost(message))
            {
                // Locked as delivered, never sent: it comes back when the lock lapses, behind what went out meanwhile.
                message.Deliveries++;
                locks[Guid.NewGuid()] = new MessageLock(message, settings.TimeProvider.GetUtcNow().UtcDateTime + settings.LockDuration);
                continue;
            }

            Deliver(consumer, message, settings.TimeProvider.GetUtcNow().UtcDateTime + settings.LockDuration);
        }
    }

    bool IsLost(QueuedMessage message) =>
        settings.LoseDelivery is { } lose && lose(new DeliveryAttempt(Path, message.SequenceNumber, message.SessionId, message.Deliveries));

    /// <summary>Sends a message taken from <c>available</c> to the consumer (locked until <paramref name="until"/> unless settled on send).</summary>
    void Deliver(IMessageConsumer consumer, QueuedMessage message, DateTime until)
    {
        message.Deliveries++;
        try
        {
            if (consumer.SettlesOnSend)
            {
                consumer.Send(DeliveryMessages.Create(message, null, null));
                return;
            }

            var token = Guid.NewGuid();
            locks[token] = new MessageLock(message, until);
            consumer.Send(DeliveryMessages.Create(message, token, until));
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException)
        {
            // The link closed under us: the message was never delivered.
            locks.Remove(locks.FirstOrDefault(l => l.Value.Message == message).Key);
            message.Deliveries--;
            available[message.SequenceNumber] = message;
        }
    }

    IMessageConsumer? NextConsumerWithCredit()
    {
        for (var i = 0; i < consumers.Count; i++)
        {
            var consumer = consumers[(nextConsumer + i) % consumers.Count];
            if (consumer.Credit > 0)
            {
                nextConsumer = (nextConsumer + i + 1) % consumers.Count;
                return consumer;
            }
        }

        return null;
    }
}
