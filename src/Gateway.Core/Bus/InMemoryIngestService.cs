using Gateway.Core.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Core.Bus;

/// <summary>
/// Drains the in-memory bus into the log in batches and tells each publisher where its event went; a failed batch is
/// retried, never dropped. On stop the bus is closed and what it holds is still appended, so a graceful shutdown loses
/// nothing; only the host's shutdown timeout cuts that short (then the waiting publishers get an error).
/// </summary>
public sealed partial class InMemoryIngestService(InMemoryEventBus bus, EventIngestor ingestor, TimeProvider time, ILogger<InMemoryIngestService> logger)
    : BackgroundService
{
    private const int MaxBatch = 100;

    // Cancelled only when the host gives up waiting for the stop, not when the stop begins: the queue drains first.
    private readonly CancellationTokenSource _abort = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<InMemoryEventBus.QueuedPublish>(MaxBatch);
        var aborted = _abort.Token;
        try
        {
            while (await bus.Reader.WaitToReadAsync(aborted))
            {
                while (batch.Count < MaxBatch && bus.Reader.TryRead(out var queued))
                {
                    // A publisher that timed out while its event waited here took it back: it is never appended.
                    if (queued.TryTake())
                    {
                        batch.Add(queued);
                    }
                }

                if (batch.Count > 0)
                {
                    await IngestWithRetryAsync(batch, aborted);
                }

                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
        finally
        {
            // Aborted: whoever still waits learns that the event was not appended and may publish it again.
            var gone = new EventBusClosedException("The gateway stopped before the event was appended; publish it again.");
            foreach (var queued in batch)
            {
                queued.Committed.TrySetException(gone);
            }

            while (bus.Reader.TryRead(out var queued))
            {
                queued.Committed.TrySetException(gone);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        bus.Close();
        using var giveUp = cancellationToken.Register(_abort.Cancel);
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _abort.Cancel();
        _abort.Dispose();
        base.Dispose();
    }

    private async Task IngestWithRetryAsync(List<InMemoryEventBus.QueuedPublish> batch, CancellationToken aborted)
    {
        var events = batch.Select(q => q.Event).ToList();

        // Made at the first failure: almost every batch goes in at once.
        RetryBackoff? backoff = null;
        while (true)
        {
            try
            {
                var outcomes = await ingestor.IngestAsync(events, aborted);
                for (var i = 0; i < batch.Count; i++)
                {
                    Settle(batch[i], outcomes[i]);
                }

                return;
            }
            catch (Exception ex) when (!aborted.IsCancellationRequested)
            {
                // A cancellation that is not the abort is the log's own timeout: retried like any failure.
                backoff ??= new RetryBackoff(time, first: TimeSpan.FromMilliseconds(100));
                LogRetry(ex, batch.Count, backoff.Next);
                if (!await backoff.WaitAsync(aborted))
                {
                    aborted.ThrowIfCancellationRequested();
                    return;
                }
            }
        }
    }

    private static void Settle(InMemoryEventBus.QueuedPublish queued, IngestOutcome outcome)
    {
        switch (outcome.Status)
        {
            case IngestStatus.Committed:
                queued.Committed.TrySetResult(new PublishReceipt(outcome.Position));
                break;
            case IngestStatus.Duplicate:
                queued.Committed.TrySetResult(new PublishReceipt(outcome.Position, AppendedBefore: true));
                break;
            default:
                // The endpoint validates by the same rules, so only a rule changed in between gets here.
                queued.Committed.TrySetException(new InvalidOperationException($"The event was rejected at ingest: {outcome.Reason}: {outcome.Description}"));
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingest of {Count} events failed; retrying in {Delay}")]
    private partial void LogRetry(Exception exception, int count, TimeSpan delay);
}
