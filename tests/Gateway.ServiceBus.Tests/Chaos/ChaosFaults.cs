using Gateway.Testing.Azurite;
using Gateway.TestBroker;

namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>
/// Carries out the schedule against the real processes: each fault at its time, its target brought back after its
/// downtime in the background, so faults on different targets may overlap; a target's next fault first waits for
/// its previous restart, and a kill for both instances to be up. Each fault is on the timeline before it is done. Completes when every fault has happened and every target is back.
/// </summary>
public sealed class ChaosFaults(ChaosGateways gateways, AzuriteProcess azurite, TestServiceBusBroker broker, ChaosTimeline timeline)
{
    private readonly Dictionary<string, Task> _restoring = [];

    public int Done { get; private set; }

    public async Task RunAsync(IReadOnlyList<ChaosFault> schedule, TimeSpan start, CancellationToken cancellationToken)
    {
        foreach (var fault in schedule)
        {
            var wait = start + fault.At - timeline.Now;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            if (_restoring.TryGetValue(fault.Target, out var previous))
            {
                await previous.WaitAsync(cancellationToken);
            }

            if (fault.Kind == ChaosFaultKind.KillInstance)
            {
                // A kill waits until the other instance is back too, so its clients have somewhere to go: on a slow
                // machine a restart takes longer than the gap between kills, and back-to-back kills would be one outage.
                await Task.WhenAll(_restoring.Where(r => r.Key.StartsWith("instance", StringComparison.Ordinal)).Select(r => r.Value)).WaitAsync(cancellationToken);
            }

            _restoring[fault.Target] = await BreakAsync(fault, cancellationToken);
            Done++;
        }

        await Task.WhenAll(_restoring.Values).WaitAsync(cancellationToken);
    }

    /// <summary>Takes the target down and returns the task that brings it back.</summary>
    private async Task<Task> BreakAsync(ChaosFault fault, CancellationToken cancellationToken)
    {
        switch (fault.Kind)
        {
            case ChaosFaultKind.KillInstance:
                timeline.Fault($"FAULT SIGKILL {fault.Target} (down {fault.Down.TotalSeconds:0.0} s)");
                await gateways.KillAsync(fault.Instance);
                return RestoreAsync(fault, () => StartInstanceAsync(fault, cancellationToken), cancellationToken);
            case ChaosFaultKind.RestartAzurite:
                timeline.Fault($"FAULT stopping Azurite with SIGINT (down {fault.Down.TotalSeconds:0.0} s)");
                await azurite.StopAsync(graceful: true);
                timeline.Add("Azurite stopped");
                return RestoreAsync(fault, azurite.StartAsync, cancellationToken);
            default:
                timeline.Fault($"FAULT broker stopped, every connection dropped (down {fault.Down.TotalSeconds:0.0} s)");
                broker.Stop();
                return RestoreAsync(fault, () => { broker.Start(); return Task.CompletedTask; }, cancellationToken);
        }
    }

    /// <summary>Starts a killed instance, trying again if a start fails (on a busy machine one may not get healthy in time).</summary>
    private async Task StartInstanceAsync(ChaosFault fault, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await gateways.StartAsync(fault.Instance, cancellationToken);
                return;
            }
            catch (Exception ex) when (attempt < 3 && !cancellationToken.IsCancellationRequested)
            {
                timeline.Add($"{fault.Target} did not start ({ex.GetType().Name}: {ex.Message.Split('\n')[0]}); trying again");
            }
        }
    }

    private async Task RestoreAsync(ChaosFault fault, Func<Task> start, CancellationToken cancellationToken)
    {
        await Task.Delay(fault.Down, cancellationToken);
        var started = timeline.Now;
        await start();
        timeline.Add($"{fault.Target} back ({(timeline.Now - started).TotalSeconds:0.0} s to start)");
    }
}
