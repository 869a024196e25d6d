using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// One peer run's figures: printed as a human summary and as one JSON line (the bench script collects the lines).
/// Latencies in milliseconds, memory in bytes, CPU in seconds; null where not measured (no server pid, no GC probe).
/// </summary>
internal sealed record PeerReport
{
    public required string Label { get; init; }
    public required string Date { get; init; }
    public required int Cores { get; init; }
    public required string LoadAverage { get; init; }
    public required int Streams { get; init; }
    public required int Channels { get; init; }
    public required double Rate { get; init; }
    public required int EventsPerChannel { get; init; }
    public required int WarmupEventsPerChannel { get; init; }
    public required int PayloadBytes { get; init; }
    public required int Workers { get; init; }
    public required int Opened { get; init; }
    public required int ConnectFailures { get; init; }
    public string? FirstConnectError { get; init; }
    public required int EndedEarly { get; init; }
    public string? FirstEndReason { get; init; }
    public required bool WarmedUp { get; init; }
    public required long ExpectedDeliveries { get; init; }
    public required long Deliveries { get; init; }
    public required long Lost { get; init; }
    public required int StreamsWithLoss { get; init; }
    public required long Duplicated { get; init; }
    public required long OutOfOrder { get; init; }
    public required double P50 { get; init; }
    public required double P90 { get; init; }
    public required double P99 { get; init; }
    public required double Max { get; init; }
    /// <summary>Latency from when the publisher meant to send (its lag included: no coordinated omission).</summary>
    public required double ScheduledP50 { get; init; }
    public required double ScheduledP99 { get; init; }
    public required double EarlyP50 { get; init; }
    public required double LateP50 { get; init; }
    public required double DeliveriesPerSecond { get; init; }
    public required double WindowSeconds { get; init; }
    public required int PublishFailures { get; init; }
    public string? FirstPublishError { get; init; }
    public required double PublishLagP99 { get; init; }
    public int? ServerPid { get; init; }
    public long? ServerPeakRss { get; init; }
    public long? ServerPeakPss { get; init; }
    public double? ServerCpuSeconds { get; init; }
    public double? ServerCores { get; init; }
    public double? ServerCpuMicrosecondsPerDelivery { get; init; }
    /// <summary>Of <see cref="ServerCpuMicrosecondsPerDelivery"/>, the server's own code (user mode: for the gateway, .NET and Kestrel).</summary>
    public double? ServerUserMicrosecondsPerDelivery { get; init; }
    /// <summary>Of <see cref="ServerCpuMicrosecondsPerDelivery"/>, the kernel's work for the server (system time: syscalls, wake-ups, faults).</summary>
    public double? ServerSystemMicrosecondsPerDelivery { get; init; }
    /// <summary>The server's threads blocking (futex waits, <c>epoll_wait</c> with nothing ready) in the window, per 1,000 deliveries.</summary>
    public double? ServerVoluntarySwitchesPerThousandDeliveries { get; init; }
    /// <summary>The server's threads preempted while they could have run on, per 1,000 deliveries.</summary>
    public double? ServerInvoluntarySwitchesPerThousandDeliveries { get; init; }
    public long? BaselineRss { get; init; }
    public long? IdleRss { get; init; }
    public double? IdleBytesPerStream { get; init; }
    public bool GcForced { get; init; }
    public long? IdleGcHeap { get; init; }
    /// <summary>The server's collections in the measured window, gen0/gen1/gen2 (counted, not started by the tool); only with a GC probe.</summary>
    public IReadOnlyList<int>? ServerGcCollections { get; init; }
    /// <summary>Their total pause: every stream of the server waits through it.</summary>
    public double? ServerGcPauseMilliseconds { get; init; }
    public required double ToolCpuSeconds { get; init; }
    public required double ToolCores { get; init; }
    /// <summary>The tool's CPU (coordinator, publisher, memory sampling and receivers) per delivery, in µs.</summary>
    public required double ToolMicrosecondsPerDelivery { get; init; }
    /// <summary>Each receiving process's cores over the window (the raw client's ceiling is one each).</summary>
    public required IReadOnlyList<double> ReceiverCores { get; init; }
    /// <summary>Cores busy on the whole machine over the window, every process included.</summary>
    public required double MachineBusyCores { get; init; }
    public required double PublishAnswerP99 { get; init; }
    /// <summary>"raw" (the tool's own HTTP/1.1 client, polled) or "http" (HttpClient).</summary>
    public required string Client { get; init; }
    public required bool ToolBottleneck { get; init; }
    public required IReadOnlyList<string> Notes { get; init; }

    // A row with no deliveries has NaN percentiles: written as "NaN", not an exception at the end of a long run.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);

    public string Summary()
    {
        var c = CultureInfo.InvariantCulture;
        static string MiB(long? bytes) => bytes is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b / 1048576.0:0.0} MiB") : "n/a";
        var text = new StringBuilder();
        text.AppendLine(c, $"[{Label}] {Streams} streams over {Channels} channels, {Rate:0.#} events/s in all, {EventsPerChannel} events per channel (+{WarmupEventsPerChannel} warm-up), {PayloadBytes}-byte data, {Workers} receiving process(es); {Cores} cores, load average {LoadAverage}");
        text.AppendLine(c, $"  streams: {Opened} open, {ConnectFailures} failed to connect{(FirstConnectError is null ? "" : $" ({FirstConnectError})")}, {EndedEarly} ended early{(FirstEndReason is null ? "" : $" ({FirstEndReason})")}{(WarmedUp ? "" : "; the warm-up did not reach every stream")}");
        text.AppendLine(c, $"  delivered {Deliveries} of {ExpectedDeliveries}: lost {Lost} (on {StreamsWithLoss} streams), duplicated {Duplicated}, out of order {OutOfOrder}; publish failures {PublishFailures}{(FirstPublishError is null ? "" : $" ({FirstPublishError})")}");
        text.AppendLine(c, $"  publish → receive: p50 {P50:0.00} ms, p90 {P90:0.00} ms, p99 {P99:0.00} ms, max {Max:0.00} ms (first fifth p50 {EarlyP50:0.00}, last fifth p50 {LateP50:0.00}); {DeliveriesPerSecond:0} deliveries/s over {WindowSeconds:0.0} s");
        text.AppendLine(c, $"  schedule → receive (the publisher's lag included): p50 {ScheduledP50:0.00} ms, p99 {ScheduledP99:0.00} ms");
        text.AppendLine(c, $"  server (pid {ServerPid?.ToString(c) ?? "n/a"}): peak RSS {MiB(ServerPeakRss)} (PSS {MiB(ServerPeakPss)}), CPU {ServerCpuSeconds:0.00} s = {ServerCores:0.00} cores, {ServerCpuMicrosecondsPerDelivery:0.00} µs per delivery (user {ServerUserMicrosecondsPerDelivery:0.00}, kernel {ServerSystemMicrosecondsPerDelivery:0.00}); context switches per 1,000 deliveries: {ServerVoluntarySwitchesPerThousandDeliveries:0.0} voluntary, {ServerInvoluntarySwitchesPerThousandDeliveries:0.0} involuntary");
        text.AppendLine(c, $"  idle streams: RSS {MiB(BaselineRss)} before, {MiB(IdleRss)} with them open{(GcForced ? " (after a forced full collection)" : "")}: {IdleBytesPerStream / 1024:0.00} KiB per stream{(IdleGcHeap is { } heap ? $"; live GC heap {MiB(heap)}" : "")}");
        if (ServerGcCollections is { } collections)
        {
            text.AppendLine(c, $"  server GC in the window: {collections[0]} gen0, {collections[1]} gen1, {collections[2]} gen2 collections, {ServerGcPauseMilliseconds:0.0} ms paused in all");
        }

        text.AppendLine(c, $"  tool ({Client} client): CPU {ToolCpuSeconds:0.00} s = {ToolCores:0.00} cores, {ToolMicrosecondsPerDelivery:0.00} µs per delivery; receiving processes {string.Join(" + ", ReceiverCores.Select(r => r.ToString("0.00", c)))} cores; machine {MachineBusyCores:0.00} cores busy; publish lag p99 {PublishLagP99:0.0} ms, answers p99 {PublishAnswerP99:0.0} ms; tool the bottleneck: {(ToolBottleneck ? "YES" : "no")}");
        foreach (var note in Notes)
        {
            text.AppendLine(c, $"  note: {note}");
        }

        return text.ToString();
    }
}
