using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// Keeps the lock of a held session alive from its accept until it is given back: while a batch is ingested, and as
/// much between batches, when the slot waits for the session's next message. A busy channel keeps its session for
/// longer than a lock lasts, and a lapse would send back, as a failed delivery, every message the session has locked
/// (its batch and the client's prefetch). A batch held longer than its renewal budget lets the lock lapse, as
/// <see cref="BatchLockRenewal"/> does, unless the event log is down: an outage of any length must not push good
/// messages to the dead-letter queue. <see cref="LockLost"/> fires once the lock is gone.
/// </summary>
internal sealed class SessionLockKeeper : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly LockRenewalLoop _loop;

    // When the batch in hand has spent its renewal budget; null between batches.
    private DateTimeOffset? _batchBudgetEnds;

    // logDown: true while the event log is unreachable; a batch's budget does not apply meanwhile.
    public SessionLockKeeper(ServiceBusSessionReceiver session, Func<bool> logDown, TimeProvider time, ILogger logger)
    {
        _time = time;
        _loop = new LockRenewalLoop(
            $"the lock of the session of channel {session.SessionId}",
            () => session.SessionLockedUntil,
            session.RenewSessionLockAsync,
            // ObjectDisposedException: the client closes a session receiver whose link (and so session) was lost.
            ex => ex is ServiceBusException { Reason: ServiceBusFailureReason.SessionLockLost } or ObjectDisposedException,
            now => BatchBudgetSpent(now) && !logDown(),
            time,
            logger);
    }

    /// <summary>Cancelled when the session's lock has lapsed or could not be renewed.</summary>
    public CancellationToken LockLost => _loop.LockLost;

    /// <summary>Marks a batch in hand, for at most <paramref name="budget"/> of renewals (unless the log is down).</summary>
    public IBatchLocks HoldBatch(TimeSpan budget)
    {
        lock (_gate)
        {
            _batchBudgetEnds = _time.GetUtcNow() + budget;
        }

        return new Batch(this);
    }

    public ValueTask DisposeAsync() => _loop.DisposeAsync();

    private bool BatchBudgetSpent(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _batchBudgetEnds is { } ends && now >= ends;
        }
    }

    private void BatchEnded()
    {
        lock (_gate)
        {
            _batchBudgetEnds = null;
        }
    }

    /// <summary>One batch's hold on the session's lock: its end lifts the batch's budget; the lock itself stays kept.</summary>
    private sealed class Batch(SessionLockKeeper keeper) : IBatchLocks
    {
        public CancellationToken LockLost => keeper.LockLost;

        public ValueTask DisposeAsync()
        {
            keeper.BatchEnded();
            return ValueTask.CompletedTask;
        }
    }
}
