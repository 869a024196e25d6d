using Gateway.Core.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Core.Bus;

/// <summary>Drains the in-memory bus into the log in batches; a failed batch is retried, never dropped.</summary>
public sealed partial class InMemoryIngestService(InMemoryEventBus bus, EventIngestor ingestor, TimeProvider time, ILogger<InMemoryIngestService> logger)
    : BackgroundService
{
    private const int MaxBatch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<IncomingEvent>(MaxBatch);
        try
        {
            while (await bus.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && bus.Reader.TryRead(out var message))
                {
                    batch.Add(message);
                }

                await IngestWithRetryAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task IngestWithRetryAsync(List<IncomingEvent> batch, CancellationToken stoppingToken)
    {
        var backoff = new RetryBackoff(time, first: TimeSpan.FromMilliseconds(100));
        while (true)
        {
            try
            {
                await ingestor.IngestAsync(batch, stoppingToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRetry(ex, batch.Count, backoff.Next);
                if (!await backoff.WaitAsync(stoppingToken))
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingest of {Count} events failed; retrying in {Delay}")]
    private partial void LogRetry(Exception exception, int count, TimeSpan delay);
}
