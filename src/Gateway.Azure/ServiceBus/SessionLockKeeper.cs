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
internal sealed partial class SessionLockKeeper : IAsyncDisposable
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(200);

    private readonly ServiceBusSessionReceiver _session;
    private readonly Func<bool> _logDown;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Lock _gate = new();
    private readonly Task _loop;

    // When the batch in hand has spent its renewal budget; null between batches.
    private DateTimeOffset? _batchBudgetEnds;

    // logDown: true while the event log is unreachable; a batch's budget does not apply meanwhile.
    public SessionLockKeeper(ServiceBusSessionReceiver session, Func<bool> logDown, TimeProvider time, ILogger logger)
    {
        _session = session;
        _logDown = logDown;
        _time = time;
        _logger = logger;
        _loop = RenewAsync();
    }

    /// <summary>Cancelled when the session's lock has lapsed or could not be renewed.</summary>
    public CancellationToken LockLost => _lost.Token;

    /// <summary>Marks a batch in hand, for at most <paramref name="budget"/> of renewals (unless the log is down).</summary>
    public IBatchLocks HoldBatch(TimeSpan budget)
    {
        lock (_gate)
        {
            _batchBudgetEnds = _time.GetUtcNow() + budget;
        }

        return new Batch(this);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _lost.Dispose();
    }

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

    private async Task RenewAsync()
    {
        var stop = _stop.Token;
        try
        {
            while (true)
            {
                var lockedUntil = _session.SessionLockedUntil;
                var now = _time.GetUtcNow();
                if (BatchBudgetSpent(now) && !_logDown())
                {
                    // Budget spent: let the lock lapse and tell the batch when it has.
                    await Task.Delay(Max(lockedUntil - now, TimeSpan.Zero), _time, stop);
                    LogBudgetSpent(_session.SessionId);
                    await _lost.CancelAsync();
                    return;
                }

                // Renew at half the remaining lock time, which leaves room for a slow renewal or a retry.
                await Task.Delay(Max((lockedUntil - now) / 2, MinimumWait), _time, stop);
                try
                {
                    await _session.RenewSessionLockAsync(stop);
                }
                catch (Exception ex) when (ex is ServiceBusException { Reason: ServiceBusFailureReason.SessionLockLost } or ObjectDisposedException)
                {
                    // ObjectDisposedException: the client closes a session receiver whose link (and so session) was lost.
                    LogLockLost(ex, _session.SessionId);
                    await _lost.CancelAsync();
                    return;
                }
                catch (Exception ex) when (!stop.IsCancellationRequested)
                {
                    // Transient (connection, or the client's own timeout): try again soon, while the lock still holds.
                    LogRenewFailed(ex, _session.SessionId);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lock of the session of channel {Channel} was lost; its messages come back in order to whoever accepts it next")]
    private partial void LogLockLost(Exception exception, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the lock of the session of channel {Channel} failed; retrying")]
    private partial void LogRenewFailed(Exception exception, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An ingest batch of channel {Channel} outlived its lock renewal budget; its session is left to lapse and comes back in order")]
    private partial void LogBudgetSpent(string channel);

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
