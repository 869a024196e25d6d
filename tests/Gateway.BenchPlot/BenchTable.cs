using System.Globalization;
using System.Text;

namespace Gateway.BenchPlot;

/// <summary>
/// The Markdown table: one line per streams × rate, each figure as "base / subject (subject ÷ base)", so a ratio
/// below 1 means the subject (the gateway) needs less than the base (Nchan) of that figure. A figure a JSON line lacks
/// (written by an older tool, or without the server's pid) reads "–".
/// </summary>
internal static class BenchTable
{
    public static string Render(IReadOnlyList<BenchRow> rows, string baseLabel, string subjectLabel)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"| streams × events/s | p50 ms {baseLabel} / {subjectLabel} (ratio) | p99 ms | peak RSS MiB | server CPU µs per delivery | of which kernel µs | server context switches per 1,000 deliveries (voluntary + involuntary) | server cores | deliveries/s | idle KiB per stream | lost / dup / out of order ({baseLabel}; {subjectLabel}) | tool the limit? | {subjectLabel} GC in the window: pause ms (collections) |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var key in rows.Select(r => r.Key).Distinct().OrderBy(k => k.Rate).ThenBy(k => k.Streams))
        {
            var b = rows.LastOrDefault(r => r.Key == key && r.Label == baseLabel);
            var s = rows.LastOrDefault(r => r.Key == key && r.Label == subjectLabel);
            text.AppendLine(c,
                $"| {key.Streams:N0} × {key.Rate:N0} " +
                $"| {Pair(b?.P50, s?.P50, "0.0")} " +
                $"| {Pair(b?.P99, s?.P99, "0.0")} " +
                $"| {Pair(b?.ServerPeakRss / 1048576.0, s?.ServerPeakRss / 1048576.0, "0")} " +
                $"| {Pair(b?.ServerCpuMicrosecondsPerDelivery, s?.ServerCpuMicrosecondsPerDelivery, "0.0")} " +
                $"| {Pair(b?.ServerSystemMicrosecondsPerDelivery, s?.ServerSystemMicrosecondsPerDelivery, "0.0")} " +
                $"| {Switches(b, s)} " +
                $"| {Pair(b?.ServerCores, s?.ServerCores, "0.00")} " +
                $"| {Pair(b?.DeliveriesPerSecond, s?.DeliveriesPerSecond, "0")} " +
                $"| {Pair(b?.IdleBytesPerStream / 1024, s?.IdleBytesPerStream / 1024, "0.0")} " +
                $"| {Integrity(b)}; {Integrity(s)} " +
                $"| {Bottleneck(b)} / {Bottleneck(s)} " +
                $"| {Collections(s)} |");
        }

        return text.ToString();
    }

    private static string Pair(double? baseValue, double? subjectValue, string format)
    {
        var c = CultureInfo.InvariantCulture;
        string Value(double? v) => v is { } x && double.IsFinite(x) ? x.ToString(format, c) : "–";
        var ratio = baseValue is > 0 && subjectValue is { } s && double.IsFinite(s) ? $" ({(s / baseValue.Value).ToString("0.00", c)}×)" : "";
        return $"{Value(baseValue)} / {Value(subjectValue)}{ratio}";
    }

    /// <summary>"voluntary + involuntary" for each peer, the ratio of their sums: "1.2 + 0.3 / 2.0 + 0.5 (1.67×)".</summary>
    private static string Switches(BenchRow? baseRow, BenchRow? subjectRow)
    {
        var c = CultureInfo.InvariantCulture;
        static (double Voluntary, double Involuntary)? Of(BenchRow? row) =>
            row is { ServerVoluntarySwitchesPerThousandDeliveries: { } v, ServerInvoluntarySwitchesPerThousandDeliveries: { } i } && double.IsFinite(v) && double.IsFinite(i) ? (v, i) : null;
        string Value((double Voluntary, double Involuntary)? s) => s is { } x ? $"{x.Voluntary.ToString("0.0", c)} + {x.Involuntary.ToString("0.0", c)}" : "–";
        var (b, s) = (Of(baseRow), Of(subjectRow));
        var ratio = b is { } x && x.Voluntary + x.Involuntary > 0 && s is { } y ? $" ({((y.Voluntary + y.Involuntary) / (x.Voluntary + x.Involuntary)).ToString("0.00", c)}×)" : "";
        return $"{Value(b)} / {Value(s)}{ratio}";
    }

    private static string Integrity(BenchRow? row) =>
        row is null ? "–" : string.Create(CultureInfo.InvariantCulture, $"{row.Lost}/{row.Duplicated}/{row.OutOfOrder}{(row.ConnectFailures > 0 ? $", {row.ConnectFailures} not connected" : "")}");

    private static string Collections(BenchRow? row) =>
        row?.ServerGcCollections is [var gen0, var gen1, var gen2]
            ? string.Create(CultureInfo.InvariantCulture, $"{row.ServerGcPauseMilliseconds:0} ({gen0} gen0, {gen1} gen1, {gen2} gen2)")
            : "–";

    private static string Bottleneck(BenchRow? row) => row is null ? "–" : row.ToolBottleneck ? "yes" : "no";
}
