using Azure.Messaging.ServiceBus;
using Gateway.Core.Resilience;
using Microsoft.Extensions.Logging;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// Ingest with <see cref="ServiceBusTransportOptions.Sessions"/> on: <see cref="ServiceBusTransportOptions.MaxConcurrentSessions"/>
/// slots, each holding one session (SessionId = channel) at a time. Service Bus hands a session's messages to its one
/// holder in send order, and a message given back is the next one it hands out, so a channel's batches reach the log in
/// send order. The batch path is the same as without sessions (append before complete, locks renewed while the log
/// is down, poison messages dead-lettered with their reason), but the locks are the session's, kept for as long as the
/// slot holds the session (<see cref="SessionLockKeeper"/>), not only while a batch is in hand. What differs: a batch that was
/// given back or not fully settled ends the session at once (closing it returns its messages, oldest first, to the
/// next holder), so no later message of the channel can be ingested before it.
/// </summary>
public sealed partial class ServiceBusIngestService
{
    private Task ExecuteSessionsAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.MaxConcurrentSessions).Select(_ => RunSessionSlotAsync(stoppingToken)));

    private async Task RunSessionSlotAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var backoff = new RetryBackoff(time);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!await ReadyForNextBatchAsync(stoppingToken))
            {
                return;
            }

            ServiceBusSessionReceiver session;
            try
            {
                session = await client.AcceptNextSessionAsync(
                    o.Topic, o.Subscription, new ServiceBusSessionReceiverOptions { ReceiveMode = ServiceBusReceiveMode.PeekLock, PrefetchCount = o.IngestPrefetchCount }, stoppingToken);
                status.Connected(ReceiverStatus.Ingest);
                backoff.Reset();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ServiceBusException ex) when (ex.Reason == ServiceBusFailureReason.ServiceTimeout)
            {
                // No free session with messages (the others are held, by this instance or another): Service Bus answered.
                status.Connected(ReceiverStatus.Ingest);
                backoff.Reset();
                continue;
            }
            catch (Exception ex)
            {
                // E.g. the subscription does not require sessions (then every accept fails the same way: loud in health).
                if (!await ReceiveFailedAsync(ex, backoff, stoppingToken))
                {
                    return;
                }

                continue;
            }

            try
            {
                await IngestSessionAsync(session, stoppingToken);
            }
            finally
            {
                await CloseSessionAsync(session);
            }
        }
    }

    /// <summary>Ingests the session's batches until it is idle, lost, or a batch could not be finished.</summary>
    private async Task IngestSessionAsync(ServiceBusSessionReceiver session, CancellationToken stoppingToken)
    {
        var o = options.Value;
        // The session's lock is its messages' locks: kept from here until the session is given back, between batches too.
        await using var keeper = new SessionLockKeeper(session, () => outage.IsLogDown, time, logger);
        // Its unbatched messages need no giving back: closing the session returns every message it holds, oldest first.
        await using var pump = new IngestReceivePump(
            session,
            o.MaxBatchSize,
            o.ReceiveWaitTime,
            // Idle: give the session back, so that this slot serves other channels.
            endWhenIdle: true,
            readyToReceive: outage.WhenLogUpAsync,
            received: () => { },
            receiveFailed: (ex, _) =>
            {
                // The session's lock or link was lost (the client then closes the receiver): accept again.
                LogSessionLost(ex, session.SessionId);
                return Task.FromResult(false);
            },
            stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested && outage.StoppedReason is null && !outage.IsLogDown && !keeper.LockLost.IsCancellationRequested)
            {
                if (await pump.NextBatchAsync(stoppingToken) is not { } messages)
                {
                    return;
                }

                // One batch at a time, settled before the next is taken: its fan-out does not overlap the next append here.

                if (!await StartBatch(session, messages, _ => keeper.HoldBatch(o.MaxLockRenewalDuration), previousFanout: Task.CompletedTask, stoppingToken).Settled)
                {
                    // Given back or not settled: later messages of the channel must not overtake these. Closing the session
                    // returns them, oldest first, to its next holder.
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task CloseSessionAsync(ServiceBusSessionReceiver session)
    {
        try
        {
            await session.DisposeAsync();
        }
        catch (Exception ex)
        {
            // Its lock lapses instead; the session's messages come back all the same.
            LogSessionCloseFailed(ex, session.SessionId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest lost the session of channel {Channel}; its messages come back in order to whoever accepts it next")]
    private partial void LogSessionLost(Exception exception, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the session of channel {Channel} failed; its lock lapses instead")]
    private partial void LogSessionCloseFailed(Exception exception, string channel);
}
