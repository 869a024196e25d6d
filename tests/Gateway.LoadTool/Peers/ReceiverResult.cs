namespace Gateway.LoadTool.Peers;

/// <summary>What one receiving worker reports at the end (as a JSON line to the coordinator). Timestamps are <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
internal sealed record ReceiverResult
{
    public int Opened { get; init; }

    public int Failed { get; init; }

    public string? FirstError { get; init; }

    public long Deliveries { get; init; }

    public long Lost { get; init; }

    public int StreamsWithLoss { get; init; }

    public long Duplicated { get; init; }

    public long OutOfOrder { get; init; }

    /// <summary>Streams the server ended (or that broke) before the tool stopped them.</summary>
    public int EndedEarly { get; init; }

    public string? FirstEndReason { get; init; }

    public long FirstReceive { get; init; }

    public long LastReceive { get; init; }

    /// <summary>Measured events' latencies (<see cref="LatencyHistogram.Serialize"/>).</summary>
    public string Latency { get; init; } = "";

    /// <summary>The first fifth of the measured sequences, to see whether the receive lag grew.</summary>
    public string Early { get; init; } = "";

    /// <summary>The last fifth of the measured sequences.</summary>
    public string Late { get; init; } = "";

    /// <summary>Measured events' latencies from when the publisher meant to send them (its lag included).</summary>
    public string FromSchedule { get; init; } = "";
}
