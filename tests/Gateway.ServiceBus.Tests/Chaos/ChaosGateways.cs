using Gateway.Testing.Processes;

namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>
/// The two gateway instances of a run, each a server host in a child process (so SIGKILL is real). An instance
/// keeps its instance id across restarts, hence its fan-out subscription (copies wait there while it is down, as
/// for a Functions instance that comes back); its port changes, and a client sent to a dead instance is refused
/// and retries, as a browser would against a load balancer's dead backend.
/// </summary>
public sealed class ChaosGateways(IReadOnlyList<(string Key, string Value)> settings, ChaosTimeline timeline) : IAsyncDisposable
{
    private readonly GatewayServerProcess?[] _processes = new GatewayServerProcess?[2];
    private readonly Uri[] _addresses = [new("http://127.0.0.1:9/"), new("http://127.0.0.1:9/")];

    public static string Name(int instance) => instance == 0 ? "A" : "B";

    /// <summary>Where the instance listens now, or listened last (refusing connections while it is down).</summary>
    public Uri Address(int instance) => Volatile.Read(ref _addresses[instance]);

    public bool IsUp(int instance) => Volatile.Read(ref _processes[instance]) is not null;

    /// <summary>Starts the instance and waits until its bus is healthy (it may wait out a broker outage).</summary>
    public async Task StartAsync(int instance, CancellationToken cancellationToken)
    {
        var process = await GatewayServerProcess.StartAsync(
            new GatewayServerProcessOptions
            {
                Settings = [.. settings, ("Gateway:ServiceBus:InstanceId", $"chaos-{Name(instance).ToLowerInvariant()}")],
                OnLine = line => timeline.Detail($"{Name(instance)}: {line}"),
            },
            cancellationToken);
        Volatile.Write(ref _addresses[instance], process.BaseAddress);
        Volatile.Write(ref _processes[instance], process);
    }

    /// <summary>SIGKILL: no shutdown, streams cut, locks and half-done batches left as they were.</summary>
    public async Task KillAsync(int instance)
    {
        var process = Interlocked.Exchange(ref _processes[instance], null);
        if (process is not null)
        {
            await process.KillAsync();
            await process.DisposeAsync();
        }
    }

    /// <summary>The last lines an instance printed (empty while it is down), for failure messages.</summary>
    public string Output(int instance) => Volatile.Read(ref _processes[instance])?.Output() ?? "";

    public async ValueTask DisposeAsync()
    {
        await KillAsync(0);
        await KillAsync(1);
    }
}
