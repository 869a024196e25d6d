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
                    var run = await log.RunRetentionAsync(stoppingToken);
                    if (run.EventsRemoved > 0 || run.ChannelsRemoved > 0 || !run.PassCompleted)
                    {
                        LogRun(run.EventsRemoved, run.ChannelsRemoved, run.ChannelsVisited, run.PassCompleted);
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // A cancellation that is not the stop is the store's own timeout: a failed run like any other.
                    LogFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Count} events and {Channels} expired channels ({Visited} channels visited; pass completed: {Completed})")]
    private partial void LogRun(long count, int channels, int visited, bool completed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention failed; it runs again at the next interval")]
    private partial void LogFailed(Exception exception);
}
