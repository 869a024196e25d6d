using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// "bus": healthy when both receive loops (ingest and fan-out) talk to Service Bus; degraded while they are
/// still connecting, or while ingest waits out an event-log outage; unhealthy when one's last attempt failed (events
/// then wait in the subscription), or when ingest stopped because the log's store refused it for good.
/// </summary>
internal sealed class ServiceBusHealthCheck(ReceiverStatus status, IngestOutage outage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (outage.StoppedReason is { } stopped)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"Service Bus: ingest stopped: {stopped}"));
        }

        var faults = status.Faults;
        if (faults.Count > 0)
        {
            var detail = string.Join("; ", faults.Select(f => $"{f.Key}: {f.Value}"));
            return Task.FromResult(HealthCheckResult.Unhealthy($"Service Bus: {detail}"));
        }

        if (outage.Describe() is { } paused)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"Service Bus: {paused}"));
        }

        var pending = status.Pending;
        return Task.FromResult(pending.Count > 0
            ? HealthCheckResult.Degraded($"Service Bus: connecting ({string.Join(", ", pending)})")
            : HealthCheckResult.Healthy("Service Bus: ingest and fan-out receiving"));
    }
}
