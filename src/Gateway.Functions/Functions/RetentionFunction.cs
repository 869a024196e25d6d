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
        var removed = await log.ApplyRetentionAsync(cancellationToken);
        LogApplied(removed, timer.IsPastDue);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Count} events (past due: {IsPastDue})")]
    private partial void LogApplied(long count, bool isPastDue);
}
