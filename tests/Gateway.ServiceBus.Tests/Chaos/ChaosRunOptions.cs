using System.Globalization;

namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>
/// The size of a chaos run. The defaults are the reduced size CI runs (about a minute on a quiet 2-core machine);
/// <c>scripts/chaos.sh</c> sets the <c>CHAOS_*</c> environment variables for the full size.
/// </summary>
public sealed record ChaosRunOptions
{
    public int Clients { get; init; } = 20;

    public int Events { get; init; } = 1000;

    public int Channels { get; init; } = 10;

    /// <summary>SIGKILLs of a gateway instance, alternating between the two (each restarted after).</summary>
    public int InstanceKills { get; init; } = 3;

    /// <summary>Azurite stopped with SIGINT (it saves its data then; on SIGTERM it loses its latest writes) and started again.</summary>
    public int AzuriteRestarts { get; init; } = 1;

    public int BrokerRestarts { get; init; } = 1;

    /// <summary>Seeds the fault schedule, the downtimes and the clients' choice of instance.</summary>
    public int Seed { get; init; } = Random.Shared.Next();

    /// <summary>How long the producer spreads its events over; the faults fall inside this window.</summary>
    public TimeSpan ProduceFor { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The bound on the whole run (start-up to verdict); past it the run stops and reports what is missing.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>Gateway:Stream:MaxDuration: short, so streams end cleanly (and clients resume) often.</summary>
    public TimeSpan StreamDuration { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Gateway:Stream:RetryInterval: what the clients wait before reconnecting (they honour the server's retry:).</summary>
    public TimeSpan Retry { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Chance that a client moves to the other instance when it reconnects.</summary>
    public double SwitchChance { get; init; } = 0.3;

    public static ChaosRunOptions FromEnvironment()
    {
        var defaults = new ChaosRunOptions();
        return new ChaosRunOptions
        {
            Clients = Int("CHAOS_CLIENTS", defaults.Clients),
            Events = Int("CHAOS_EVENTS", defaults.Events),
            Channels = Int("CHAOS_CHANNELS", defaults.Channels),
            InstanceKills = Int("CHAOS_KILLS", defaults.InstanceKills),
            AzuriteRestarts = Int("CHAOS_AZURITE_RESTARTS", defaults.AzuriteRestarts),
            BrokerRestarts = Int("CHAOS_BROKER_RESTARTS", defaults.BrokerRestarts),
            Seed = Int("CHAOS_SEED", defaults.Seed),
            ProduceFor = TimeSpan.FromSeconds(Int("CHAOS_PRODUCE_SECONDS", (int)defaults.ProduceFor.TotalSeconds)),
            Timeout = TimeSpan.FromSeconds(Int("CHAOS_TIMEOUT_SECONDS", (int)defaults.Timeout.TotalSeconds)),
            StreamDuration = TimeSpan.FromSeconds(Int("CHAOS_STREAM_SECONDS", (int)defaults.StreamDuration.TotalSeconds)),
            Retry = TimeSpan.FromMilliseconds(Int("CHAOS_RETRY_MS", (int)defaults.Retry.TotalMilliseconds)),
        };
    }

    public override string ToString() =>
        $"{Clients} clients, {Events} events over {Channels} channels in {ProduceFor.TotalSeconds:0} s, {InstanceKills} instance kills, " +
        $"{AzuriteRestarts} Azurite and {BrokerRestarts} broker restarts, streams of {StreamDuration.TotalSeconds:0} s, retry {Retry.TotalMilliseconds:0} ms, " +
        $"seed {Seed} (CHAOS_SEED={Seed} repeats the schedule), bound {Timeout.TotalMinutes:0.#} min";

    private static int Int(string name, int fallback)
    {
        var value = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= 0
            ? parsed
            : throw new InvalidOperationException($"{name}={value} is not a non-negative whole number.");
    }
}
