using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// Keeps the peek-locks of one received batch alive while it is ingested (a slow or retried append must not
/// let the locks lapse, or another instance would ingest the same messages meanwhile), for at most a budget — but for
/// as long as the event log is down: each redelivery raises the delivery count, and an outage of any length must not
/// push good messages to the dead-letter queue. <see cref="LockLost"/> fires when a lock is gone, so the batch stops
/// and is left to redelivery. Not for a session's messages: their locks are the session's, which
/// <see cref="SessionLockKeeper"/> keeps for as long as the session is held.
/// </summary>
internal sealed class BatchLockRenewal : IBatchLocks
{
    private readonly LockRenewalLoop _loop;

    // logDown: true while the event log is unreachable; the budget does not apply meanwhile.
    public BatchLockRenewal(ServiceBusReceiver receiver, IReadOnlyList<ServiceBusReceivedMessage> messages, TimeSpan budget, Func<bool> logDown, TimeProvider time, ILogger logger)
    {
        var renewUntil = time.GetUtcNow() + budget;
        _loop = new LockRenewalLoop(
            $"the locks of an ingest batch of {messages.Count} messages",
            () => messages.Min(m => m.LockedUntil),
            stop => Task.WhenAll(messages.Select(m => receiver.RenewMessageLockAsync(m, stop))),
            ex => ex is ServiceBusException { Reason: ServiceBusFailureReason.MessageLockLost },
            now => now >= renewUntil && !logDown(),
            time,
            logger);
    }

    public CancellationToken LockLost => _loop.LockLost;

    public ValueTask DisposeAsync() => _loop.DisposeAsync();
}
