namespace Gateway.BenchPlot;

/// <summary>The figures of one peer run this tool reads from the load tool's JSON line (the rest of the line is ignored).</summary>
internal sealed record BenchRow
{
    public string Label { get; init; } = "";
    public string Date { get; init; } = "";
    public string LoadAverage { get; init; } = "";
    public int Cores { get; init; }
    public int Streams { get; init; }
    public int Channels { get; init; }
    public double Rate { get; init; }
    public int PayloadBytes { get; init; }
    public int Opened { get; init; }
    public int ConnectFailures { get; init; }
    public long Lost { get; init; }
    public long Duplicated { get; init; }
    public long OutOfOrder { get; init; }
    public double P50 { get; init; }
    public double P99 { get; init; }
    public double DeliveriesPerSecond { get; init; }
    public long? ServerPeakRss { get; init; }
    public double? ServerCores { get; init; }
    public double? ServerCpuMicrosecondsPerDelivery { get; init; }
    public double? IdleBytesPerStream { get; init; }
    public bool GcForced { get; init; }
    public IReadOnlyList<int>? ServerGcCollections { get; init; }
    public double? ServerGcPauseMilliseconds { get; init; }
    public bool ToolBottleneck { get; init; }

    /// <summary>The row of the table this run belongs to: streams × events/s.</summary>
    public (int Streams, double Rate) Key => (Streams, Rate);
}
