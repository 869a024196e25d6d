using Gateway.Core.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Core.Log;

/// <summary>Applies the log's retention policy on a schedule, in hosts that have no timer trigger.</summary>
public sealed partial class RetentionService(IEventLog log, TimeProvider time, IOptions<RetentionOptions> options, ILogger<RetentionService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var removed = await log.ApplyRetentionAsync(stoppingToken);
                    if (removed > 0)
                    {
                        LogRemoved(removed);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Count} events")]
    private partial void LogRemoved(long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention failed; it runs again at the next interval")]
    private partial void LogFailed(Exception exception);
}
