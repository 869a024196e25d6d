using System.Text.Json;
using System.Text.Json.Serialization;

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
    /// <summary>Of the CPU per delivery, the kernel's part (null in lines written before the tool split it).</summary>
    public double? ServerSystemMicrosecondsPerDelivery { get; init; }
    public double? ServerVoluntarySwitchesPerThousandDeliveries { get; init; }
    public double? ServerInvoluntarySwitchesPerThousandDeliveries { get; init; }
    public double? IdleBytesPerStream { get; init; }
    public bool GcForced { get; init; }
    public IReadOnlyList<int>? ServerGcCollections { get; init; }
    public double? ServerGcPauseMilliseconds { get; init; }
    public bool ToolBottleneck { get; init; }

    // The tool writes a row with no deliveries with "NaN" percentiles (see the load tool's PeerReport).
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>One JSON line of the load tool; the fields a line lacks (an older tool's) stay null.</summary>
    public static BenchRow Parse(string line) =>
        JsonSerializer.Deserialize<BenchRow>(line, Json) ?? throw new JsonException($"Not a result: {line}");

    /// <summary>The row of the table this run belongs to: streams × events/s.</summary>
    public (int Streams, double Rate) Key => (Streams, Rate);
}
