using Gateway.Core.Log;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Gateway.Functions.Functions;

/// <summary>Applies the log's retention policy on the schedule in the <c>Gateway__Retention__Schedule</c> app setting.</summary>
public sealed partial class RetentionFunction(IEventLog log, ILogger<RetentionFunction> logger)
{
    /// <summary>The app-setting expression the host resolves to the NCRONTAB schedule.</summary>
    public const string Schedule = "%Gateway:Retention:Schedule%";

    [Function("Retention")]
    public async Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var run = await log.RunRetentionAsync(cancellationToken);
        LogApplied(run.EventsRemoved, run.ChannelsRemoved, run.ChannelsVisited, run.PassCompleted, timer.IsPastDue);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Count} events and {Channels} expired channels ({Visited} channels visited; pass completed: {Completed}; past due: {IsPastDue})")]
    private partial void LogApplied(long count, int channels, int visited, bool completed, bool isPastDue);
}
