namespace Gateway.LoadTool.Peers;

/// <summary>
/// CPU seconds spent during a peer run's measured window (<see cref="Seconds"/> long): by the server's process tree
/// (null without its pid), by the tool's whole tree (coordinator, publisher, memory sampling and receivers), by each
/// receiving process alone, and by the whole machine (every process, other helpers' included).
/// </summary>
internal sealed record WindowCpu(double Seconds, double? Server, double Tool, IReadOnlyList<double> Receivers, double Machine)
{
    /// <summary>The part of <see cref="WindowCpu.Server"/> the kernel spent on the server's behalf (its system time); null without a pid.</summary>
    public double? ServerSystem { get; init; }

    /// <summary>The server tree's context switches in the window, summed over its threads; null without a pid.</summary>
    public ContextSwitches? ServerSwitches { get; init; }
}
