using Azure.Messaging.ServiceBus;
using Gateway.Core.Bus;
using Gateway.Core.Log;
using Gateway.Core.Resilience;
using Gateway.Core.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// Ingest in Azure mode: receives batches from the durable subscription of the ingest topic (every instance
/// runs one; competing consumers), hands each batch to <see cref="EventIngestor"/> (one log append per channel
/// per batch, then fan-out), then settles every message by its outcome: committed or duplicate → complete,
/// rejected → dead-letter with the reason. Nothing is settled before the log has it and its fan-out has gone, so a
/// crash leaves the messages to redelivery, the log's dedupe markers keep them from being appended twice, and their
/// events are fanned out again.
/// </summary>
public sealed partial class ServiceBusIngestService(
    ServiceBusClient client,
    EventIngestor ingestor,
    IEventLog log,
    IOptions<ServiceBusTransportOptions> options,
    ReceiverStatus status,
    IngestOutage outage,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<ServiceBusIngestService> logger) : BackgroundService
{
    // Bounds the wait for the abandon of an unfinished batch once the host has stopped waiting for it.
    private static readonly TimeSpan AbandonWait = TimeSpan.FromSeconds(2);

    // Cancelled when the host stops waiting for this service: the batch in hand is then abandoned, not finished.
    private readonly CancellationTokenSource _abort = new();

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stopping ends receiving at once; the batch in hand may finish while the host waits (base.StopAsync
        // returns when it is done or the host's shutdown timeout has run out).
        await base.StopAsync(cancellationToken);
        if (ExecuteTask is { IsCompleted: false } running)
        {
            // Out of time: give the messages back now rather than when their locks lapse.
            await _abort.CancelAsync();
            try
            {
                await running.WaitAsync(AbandonWait, time, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                // The locks lapse instead; the messages are redelivered all the same.
            }
        }
    }

    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (o.Sessions)
        {
            await ExecuteSessionsAsync(stoppingToken);
            return;
        }

        await using var receiver = client.CreateReceiver(o.Topic, o.Subscription, new ServiceBusReceiverOptions { ReceiveMode = ServiceBusReceiveMode.PeekLock, PrefetchCount = o.IngestPrefetchCount });
        var backoff = new RetryBackoff(time);
        var pump = new IngestReceivePump(
            receiver,
            o.MaxBatchSize,
            o.ReceiveWaitTime,
            endWhenIdle: false,
            readyToReceive: outage.WhenLogUpAsync,
            received: () =>
            {
                status.Connected(ReceiverStatus.Ingest);
                backoff.Reset();
            },
            // The client has already retried; keep the receiver (it reconnects) and pace the outage.
            receiveFailed: (ex, token) => ReceiveFailedAsync(ex, backoff, token),
            stoppingToken);
        // A batch goes append → fan-out → settle, and the append of one batch overlaps with the fan-out and the settling
        // of the one before: the next append begins once this one is in the log (appends in order), the next fan-out once
        // this one's has ended (fan-outs in append order, so subscribers see no gap), and each batch is settled only once
        // its own append and fan-out succeeded. At most two batches are in hand: the next is taken once the one before the
        // last is settled. (With sessions a batch is settled before the next is taken: one not settled ends the session.)
        var previous = IngestBatchProgress.None;
        try
        {
            while (!stoppingToken.IsCancellationRequested && await ReadyForNextBatchAsync(stoppingToken))
            {
                if (await pump.NextBatchAsync(stoppingToken) is not { } messages)
                {
                    return;
                }

                var batch = StartBatch(receiver, messages, m => KeepMessageLocks(receiver, m), previous.FannedOut, stoppingToken);
                await batch.Appended;
                await previous.Settled;
                previous = batch;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await previous.Settled;
            await pump.DisposeAsync();
            // Received, never ingested: give them back now rather than when their locks lapse. (Those still in the
            // client's prefetch buffer it releases itself when the receiver closes.)
            await GiveBackAsync(receiver, pump.TakeUnbatched());
        }
    }

    private Task<bool[]> GiveBackAsync(ServiceBusReceiver receiver, IReadOnlyList<ServiceBusReceivedMessage> messages) =>
        Task.WhenAll(messages.Select(m => SettleAsync(m, "abandon", () => receiver.AbandonMessageAsync(m, cancellationToken: CancellationToken.None))));

    /// <summary>Reports a failed receive (or session accept) in health and the log, then waits its back-off.</summary>
    /// <returns>False when the service stops during the wait.</returns>
    private Task<bool> ReceiveFailedAsync(Exception exception, RetryBackoff backoff, CancellationToken stoppingToken)
    {
        status.Faulted(ReceiverStatus.Ingest, exception);
        LogReceiveFailed(exception, backoff.Next);
        return backoff.WaitAsync(stoppingToken);
    }

    /// <summary>
    /// Starts a batch on its way: appended, then fanned out once <paramref name="previousFanout"/> has ended, then
    /// settled; or given back. <paramref name="keepLocks"/> keeps the locks of the batch's accepted messages while they
    /// are ingested.
    /// </summary>
    private IngestBatchProgress StartBatch(
        ServiceBusReceiver receiver, IReadOnlyList<ServiceBusReceivedMessage> messages, Func<IReadOnlyList<ServiceBusReceivedMessage>, IBatchLocks> keepLocks, Task previousFanout, CancellationToken stoppingToken) =>
        IngestBatchProgress.Start(progress => IngestBatchAsync(receiver, messages, keepLocks, previousFanout, progress, stoppingToken));

    /// <summary>Without sessions each message has a lock of its own, renewed for the batch.</summary>
    private BatchLockRenewal KeepMessageLocks(ServiceBusReceiver receiver, IReadOnlyList<ServiceBusReceivedMessage> messages) =>
        new(receiver, messages, options.Value.MaxLockRenewalDuration, () => outage.IsLogDown, time, logger);

    /// <returns>True when every message of the batch was settled; false when some were given back or could not be settled.</returns>
    private async Task<bool> IngestBatchAsync(
        ServiceBusReceiver receiver,
        IReadOnlyList<ServiceBusReceivedMessage> messages,
        Func<IReadOnlyList<ServiceBusReceivedMessage>, IBatchLocks> keepLocks,
        Task previousFanout,
        IngestBatchProgress progress,
        CancellationToken stoppingToken)
    {
        try
        {
            // A message without a string channel property (or, with sessions, whose SessionId is not its channel) is
            // refused here, where it can be said exactly what is wrong; the ingestor validates everything else.
            var refusals = messages.Select(m => IngestMessage.Refusal(m, options.Value.Sessions)).ToArray();
            var accepted = messages.Where((_, i) => refusals[i] is null).ToList();
            var settles = messages.Select((m, i) => (Message: m, Refusal: refusals[i]))
                .Where(r => r.Refusal is not null)
                .Select(r => RefuseAsync(receiver, r.Message, r.Refusal!.Value.Reason, r.Refusal.Value.Description))
                .ToList();
            if (accepted.Count > 0)
            {
                settles.Add(IngestAcceptedAsync(receiver, accepted, keepLocks(accepted), previousFanout, progress, stoppingToken));
            }

            return await AllSettledAsync(settles);
        }
        finally
        {
            // Given back, or nothing to ingest (all refused): the next append may begin, and the next fan-out once the one
            // before this batch has ended (fan-outs stay in append order however this batch ended).
            progress.AppendEnded();
            await previousFanout;
            progress.FanOutEnded();
        }
    }

    private static async Task<bool> AllSettledAsync(IEnumerable<Task<bool>> settles) => (await Task.WhenAll(settles)).All(settled => settled);

    /// <summary>
    /// Appends the batch, fans it out once <paramref name="previousFanout"/> has ended, then settles it; gives it back
    /// when either step was given up. <paramref name="locks"/> keeps their locks until its fan-out has ended.
    /// </summary>
    /// <returns>See <see cref="IngestBatchAsync"/>.</returns>
    private async Task<bool> IngestAcceptedAsync(
        ServiceBusReceiver receiver, List<ServiceBusReceivedMessage> messages, IBatchLocks locks, Task previousFanout, IngestBatchProgress progress, CancellationToken stoppingToken)
    {
        IReadOnlyList<IngestOutcome>? outcomes = null;
        await using (locks)
        {
            var batch = messages.Select(IngestMessage.Read).ToList();
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token, locks.LockLost);
            using var appended = await AppendWithRetryAsync(batch, cancel.Token, stoppingToken);
            if (appended is not null)
            {
                // The next batch may be appended while this one is fanned out.
                progress.AppendEnded();

                // Fan-outs leave in append order. The one before may have been given up (its batch goes back and is fanned
                // out again when redelivered): this one goes all the same, and subscribers fill that gap from the log.
                await previousFanout;
                if (await FanOutWithRetryAsync(appended, batch.Count, cancel.Token, stoppingToken))
                {
                    outcomes = appended.Outcomes;
                }

                progress.FanOutEnded();
            }
        }

        if (outcomes is null)
        {
            // Stopping, the locks are gone, or ingest stopped: hand the messages back now rather than when their locks
            // lapse (with ingest stopped they wait in the subscription for an instance that can store them). An appended
            // batch's redelivery is found in the log's dedupe markers and fanned out again.
            await GiveBackAsync(receiver, messages);
            return false;
        }

        return await AllSettledAsync(messages.Select((m, i) => SettleAsync(receiver, m, outcomes[i])));
    }

    private Task<bool> RefuseAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message, string reason, string problem)
    {
        metrics.MessageRejected(reason);
        LogRefused(message.SequenceNumber, reason, problem);
        return SettleAsync(message, "dead-letter", () => receiver.DeadLetterMessageAsync(message, reason, problem, CancellationToken.None));
    }

    /// <summary>
    /// Retries a failed append in place, while the locks are renewed, rather than abandoning at once: each
    /// redelivery raises the delivery count, and a storage outage must not push events to the dead-letter queue.
    /// Null when the batch must be given up (stopping, or its locks are lost).
    /// </summary>
    private async Task<AppendedBatch?> AppendWithRetryAsync(List<IncomingEvent> batch, CancellationToken cancel, CancellationToken stoppingToken)
    {
        var backoff = new RetryBackoff(time);
        using var cancelOrStop = CancellationTokenSource.CreateLinkedTokenSource(cancel, stoppingToken);
        while (true)
        {
            try
            {
                var appended = await ingestor.AppendAsync(batch, cancel);
                if (outage.LogAvailable() is { } lasted)
                {
                    LogOutageEnded(lasted);
                }

                return appended;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception ex)
            {
                switch (IngestFailure.Classify(ex))
                {
                    case IngestFailureKind.LogRefused:
                        var reason = IngestFailure.Describe(ex);
                        outage.Stop($"{reason}. Fix the storage account, table or role assignment, then restart the instance; the messages wait in the subscription.", "log_refused");
                        LogIngestStopped(ex, reason);
                        return null;
                    case IngestFailureKind.LogUnavailable:
                        if (outage.LogUnavailable(ex, batch.FirstOrDefault(e => e.Channel is not null)?.Channel))
                        {
                            LogOutageBegan(ex, batch.Count);
                        }
                        else
                        {
                            LogOutageContinues(batch.Count, backoff.Next);
                        }

                        break;
                    default:
                        LogIngestFailed(ex, batch.Count, backoff.Next);
                        break;
                }

                if (!await backoff.WaitAsync(cancelOrStop.Token))
                {
                    return null;
                }

                continue;
            }
        }
    }

    /// <summary>
    /// Retries a failed fan-out in place, while the locks are renewed (up to their budget): the events are in the log, so
    /// only the send is repeated. False when the batch must be given up (stopping, or its locks are lost).
    /// </summary>
    private async Task<bool> FanOutWithRetryAsync(AppendedBatch appended, int count, CancellationToken cancel, CancellationToken stoppingToken)
    {
        var backoff = new RetryBackoff(time);
        using var cancelOrStop = CancellationTokenSource.CreateLinkedTokenSource(cancel, stoppingToken);
        while (true)
        {
            try
            {
                await ingestor.FanOutAsync(appended, cancel);
                return true;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception ex)
            {
                LogFanoutFailed(ex, count, backoff.Next);
                if (!await backoff.WaitAsync(cancelOrStop.Token))
                {
                    return false;
                }
            }
        }
    }

    /// <summary>
    /// Whether ingest may take another batch: not once it stopped loudly (logged, in health and metrics; the messages
    /// wait in the subscription) or the service stops; while the log is down, only once it answers again.
    /// </summary>
    private async Task<bool> ReadyForNextBatchAsync(CancellationToken stoppingToken) =>
        outage.StoppedReason is null && (!outage.IsLogDown || await WaitForLogAsync(stoppingToken));

    /// <summary>
    /// After a batch was given up while the log was down (its locks were lost, e.g. in a broker outage), takes no new
    /// batch until the log answers again: every batch taken and given back would cost its messages a delivery.
    /// </summary>
    private async Task<bool> WaitForLogAsync(CancellationToken stoppingToken)
    {
        var backoff = new RetryBackoff(time);
        while (true)
        {
            try
            {
                await log.GetHeadAsync(outage.ProbeChannel ?? "gateway-probe", stoppingToken);
                LogOutageEnded(outage.LogAvailable());
                return true;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception ex) when (IngestFailure.Classify(ex) == IngestFailureKind.LogUnavailable)
            {
                outage.LogUnavailable(ex, null);
                LogOutageContinues(0, backoff.Next);
                if (!await backoff.WaitAsync(stoppingToken))
                {
                    return false;
                }
            }
            catch (Exception)
            {
                // The store answered (with a refusal the next batch reports in full).
                LogOutageEnded(outage.LogAvailable());
                return true;
            }
        }
    }

    private Task<bool> SettleAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message, IngestOutcome outcome) =>
        outcome.Status == IngestStatus.Rejected
            // The ingestor has logged and counted it (once per delivery); the reason travels with the dead letter.
            ? SettleAsync(message, "dead-letter", () => receiver.DeadLetterMessageAsync(message, outcome.Reason, outcome.Description, CancellationToken.None))
            : SettleAsync(message, "complete", () => receiver.CompleteMessageAsync(message, CancellationToken.None));

    private async Task<bool> SettleAsync(ServiceBusReceivedMessage message, string action, Func<Task> settle)
    {
        try
        {
            await settle();
            return true;
        }
        catch (Exception ex)
        {
            // The message comes back when its lock lapses; the log's dedupe keeps it from being appended twice.
            LogSettleFailed(ex, action, message.SequenceNumber);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected message {SequenceNumber}: {Reason}: {Description}")]
    private partial void LogRefused(long sequenceNumber, string reason, string description);

    [LoggerMessage(Level = LogLevel.Error, Message = "Receiving from the ingest subscription failed; retrying in {Delay}")]
    private partial void LogReceiveFailed(Exception exception, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingest of a batch of {Count} messages failed; retrying in {Delay} while their locks are renewed")]
    private partial void LogIngestFailed(Exception exception, int count, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "The fan-out of an ingested batch of {Count} messages failed; retrying in {Delay} while their locks are renewed (its events are in the log)")]
    private partial void LogFanoutFailed(Exception exception, int count, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "The event log is unreachable: ingest holds its batch of {Count} messages, renews their locks and takes no new batch until the log is back")]
    private partial void LogOutageBegan(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The event log is still unreachable ({Count} messages held); trying again in {Delay}")]
    private partial void LogOutageContinues(int count, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "The event log is reachable again after {Duration}; ingest continues")]
    private partial void LogOutageEnded(TimeSpan? duration);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Ingest stopped: {Reason}. No retry can fix this; the batch was given back and every message waits in the subscription. Fix the storage account, table or role assignment, then restart the instance")]
    private partial void LogIngestStopped(Exception exception, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not {Action} message {SequenceNumber}; it will be redelivered")]
    private partial void LogSettleFailed(Exception exception, string action, long sequenceNumber);
}
