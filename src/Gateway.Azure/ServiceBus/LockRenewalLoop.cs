using Microsoft.Extensions.Logging;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// The loop both lock keepers run (<see cref="BatchLockRenewal"/>, <see cref="SessionLockKeeper"/>): renews at half
/// the remaining lock time until disposed; once the budget is spent it stops renewing and fires <see cref="LockLost"/>
/// when the lock has lapsed, and it fires it at once when the broker says the lock is gone.
/// </summary>
internal sealed partial class LockRenewalLoop : IAsyncDisposable
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(200);

    private readonly string _locks;
    private readonly Func<DateTimeOffset> _lockedUntil;
    private readonly Func<CancellationToken, Task> _renew;
    private readonly Func<Exception, bool> _isLost;
    private readonly Func<DateTimeOffset, bool> _budgetSpent;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _loop;

    /// <param name="locks">What is kept, for the log: e.g. "the locks of an ingest batch of 3 messages".</param>
    /// <param name="lockedUntil">When the lock lapses now (the client updates it on each renewal).</param>
    /// <param name="renew">One renewal.</param>
    /// <param name="isLost">Whether a failed renewal means the lock is gone (otherwise it is retried).</param>
    /// <param name="budgetSpent">Whether, at this instant, renewing must stop and the lock be left to lapse.</param>
    /// <param name="time">The clock of the waits.</param>
    /// <param name="logger">Where losses and failed renewals are said.</param>
    public LockRenewalLoop(
        string locks,
        Func<DateTimeOffset> lockedUntil,
        Func<CancellationToken, Task> renew,
        Func<Exception, bool> isLost,
        Func<DateTimeOffset, bool> budgetSpent,
        TimeProvider time,
        ILogger logger)
    {
        _locks = locks;
        _lockedUntil = lockedUntil;
        _renew = renew;
        _isLost = isLost;
        _budgetSpent = budgetSpent;
        _time = time;
        _logger = logger;
        _loop = RenewAsync();
    }

    /// <summary>Cancelled when the lock has lapsed or could not be renewed.</summary>
    public CancellationToken LockLost => _lost.Token;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _lost.Dispose();
    }

    private async Task RenewAsync()
    {
        var stop = _stop.Token;
        try
        {
            while (true)
            {
                var lockedUntil = _lockedUntil();
                var now = _time.GetUtcNow();
                if (_budgetSpent(now))
                {
                    // Let the lock lapse and tell its holder when it has.
                    await Task.Delay(Max(lockedUntil - now, TimeSpan.Zero), _time, stop);
                    LogBudgetSpent(_locks);
                    await _lost.CancelAsync();
                    return;
                }

                // Renew at half the remaining lock time, which leaves room for a slow renewal or a retry.
                await Task.Delay(Max((lockedUntil - now) / 2, MinimumWait), _time, stop);
                try
                {
                    await _renew(stop);
                }
                catch (Exception ex) when (!stop.IsCancellationRequested && _isLost(ex))
                {
                    LogLockLost(ex, _locks);
                    await _lost.CancelAsync();
                    return;
                }
                catch (Exception ex) when (!stop.IsCancellationRequested)
                {
                    // Transient (connection, or the client's own timeout): try again soon, while the lock still holds.
                    LogRenewFailed(ex, _locks);
                }
            }
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // Disposed: a renewal cut short by the stop (however the client reports it) is moot, and must not fail the
            // batch's disposal.
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost {Locks}; what they held comes back by redelivery")]
    private partial void LogLockLost(Exception exception, string locks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing {Locks} failed; retrying")]
    private partial void LogRenewFailed(Exception exception, string locks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch outlived its lock renewal budget: {Locks} are left to lapse, and what they held comes back by redelivery")]
    private partial void LogBudgetSpent(string locks);
}
