using Gateway.Core.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Core.Hub;

/// <summary>
/// Drives <see cref="EventHub.Tick"/> and <see cref="LogHeadWatch.Tick"/> from one timer for all streams, and ends every stream cleanly when the
/// host begins to stop (scale-in, deploy), before the server waits for open requests.
/// </summary>
public sealed class HubTickService(EventHub hub, LogHeadWatch headWatch, TimeProvider time, IOptions<StreamOptions> options, IHostApplicationLifetime lifetime)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = lifetime.ApplicationStopping.Register(() => hub.EndAll(StreamEndReason.Shutdown));
        var period = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, options.Value.HeartbeatInterval.Ticks));
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                hub.Tick();
                headWatch.Tick(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        hub.EndAll(StreamEndReason.Shutdown);
        return base.StopAsync(cancellationToken);
    }
}
