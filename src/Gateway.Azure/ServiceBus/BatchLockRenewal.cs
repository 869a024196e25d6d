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
internal sealed partial class BatchLockRenewal : IBatchLocks
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(200);

    private readonly ServiceBusReceiver _receiver;
    private readonly IReadOnlyList<ServiceBusReceivedMessage> _messages;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<bool> _logDown;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _loop;

    // logDown: true while the event log is unreachable; the budget does not apply meanwhile.
    public BatchLockRenewal(ServiceBusReceiver receiver, IReadOnlyList<ServiceBusReceivedMessage> messages, TimeSpan budget, Func<bool> logDown, TimeProvider time, ILogger logger)
    {
        _logDown = logDown;
        _receiver = receiver;
        _messages = messages;
        _time = time;
        _logger = logger;
        _loop = RenewAsync(time.GetUtcNow() + budget);
    }

    public CancellationToken LockLost => _lost.Token;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _lost.Dispose();
    }

    private async Task RenewAsync(DateTimeOffset renewUntil)
    {
        var stop = _stop.Token;
        try
        {
            while (true)
            {
                var earliest = _messages.Min(m => m.LockedUntil);
                var now = _time.GetUtcNow();
                if (now >= renewUntil && !_logDown())
                {
                    // Budget spent: let the locks lapse and tell the batch when they have.
                    await Task.Delay(Max(earliest - now, TimeSpan.Zero), _time, stop);
                    LogBudgetSpent(_messages.Count);
                    await _lost.CancelAsync();
                    return;
                }

                // Renew at half the remaining lock time, which leaves room for a slow renewal or a retry.
                await Task.Delay(Max((earliest - now) / 2, MinimumWait), _time, stop);
                try
                {
                    await Task.WhenAll(_messages.Select(m => _receiver.RenewMessageLockAsync(m, stop)));
                }
                catch (ServiceBusException ex) when (ex.Reason == ServiceBusFailureReason.MessageLockLost)
                {
                    LogLockLost(ex, _messages.Count);
                    await _lost.CancelAsync();
                    return;
                }
                catch (Exception ex) when (!stop.IsCancellationRequested)
                {
                    // Transient (connection, or the client's own timeout): try again soon, while the locks still hold.
                    LogRenewFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "A lock of an ingest batch of {Count} messages was lost; the batch is left to redelivery")]
    private partial void LogLockLost(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the locks of an ingest batch failed; retrying")]
    private partial void LogRenewFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An ingest batch of {Count} messages outlived its lock renewal budget; it is left to redelivery")]
    private partial void LogBudgetSpent(int count);
}
