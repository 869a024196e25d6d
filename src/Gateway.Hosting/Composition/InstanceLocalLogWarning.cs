using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Hosting.Composition;

/// <summary>
/// Says at start that Service Bus is configured without <c>EventLogStorage</c>: every instance then numbers
/// events in its own in-memory log, so a client that reconnects to another instance cannot resume exactly.
/// </summary>
internal sealed partial class InstanceLocalLogWarning(ILogger<InstanceLocalLogWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogInstanceLocalLog();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service Bus ingest is running with an in-memory event log: each instance keeps its own log, so event ids differ between instances and a reconnect to another instance cannot resume. Configure EventLogStorage for more than one instance.")]
    private partial void LogInstanceLocalLog();
}
