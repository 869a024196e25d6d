using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Azure.Tables;

/// <summary>The "log" health check: one small query against the log's table.</summary>
internal sealed class TableLogHealthCheck(TableEventLog log) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await log.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy("table storage");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"table storage unreachable: {ex.GetType().Name}", ex);
        }
    }
}
