namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>What a fault does.</summary>
public enum ChaosFaultKind
{
    /// <summary>SIGKILL one gateway instance, then start it again (same instance id, so the same fan-out subscription).</summary>
    KillInstance,

    /// <summary>Stop Azurite with SIGINT, then start it again on the same port and location.</summary>
    RestartAzurite,

    /// <summary>Stop the test broker (every connection dropped; messages and locks kept), then start it on the same port.</summary>
    RestartBroker,
}

/// <summary>One planned fault: when (from the producer's start), what, which instance for a kill, and how long the target stays down.</summary>
public sealed record ChaosFault(TimeSpan At, ChaosFaultKind Kind, int Instance, TimeSpan Down)
{
    public string Target => Kind switch
    {
        ChaosFaultKind.KillInstance => $"instance {ChaosGateways.Name(Instance)}",
        ChaosFaultKind.RestartAzurite => "Azurite",
        _ => "broker",
    };

    public override string ToString() => $"{At.TotalSeconds,6:0.0} s  {Kind} {Target}, down {Down.TotalSeconds:0.0} s";
}
