using ScottPlot;

namespace Gateway.BenchPlot;

/// <summary>
/// The PNG: p99 (left axis, solid) and peak server RSS (right axis, dashed) against streams, one colour per peer,
/// for the rate that has the most stream counts (the scaling rows; the knee row has a rate of its own).
/// </summary>
internal static class BenchPlotter
{
    public static void Save(IReadOnlyList<BenchRow> rows, IReadOnlyList<string> labels, string path)
    {
        var rate = rows.GroupBy(r => r.Rate).OrderByDescending(g => g.Select(r => r.Streams).Distinct().Count()).First().Key;
        var plot = new Plot();
        Color[] colours = [Colors.DarkOrange, Colors.SteelBlue, Colors.SeaGreen, Colors.Purple];
        for (var i = 0; i < labels.Count; i++)
        {
            var points = rows.Where(r => r.Label == labels[i] && r.Rate == rate)
                .GroupBy(r => r.Streams).Select(g => g.Last()).OrderBy(r => r.Streams).ToList();
            if (points.Count == 0)
            {
                continue;
            }

            double[] streams = [.. points.Select(r => (double)r.Streams)];
            var p99 = plot.Add.Scatter(streams, [.. points.Select(r => r.P99)]);
            p99.LegendText = $"{labels[i]} p99 (ms)";
            p99.Color = colours[i % colours.Length];
            p99.LineWidth = 2;
            p99.MarkerShape = MarkerShape.FilledCircle;
            p99.MarkerSize = 8;

            var memory = plot.Add.Scatter(streams, [.. points.Select(r => (r.ServerPeakRss ?? 0) / 1048576.0)]);
            memory.LegendText = $"{labels[i]} peak RSS (MiB)";
            memory.Color = colours[i % colours.Length];
            memory.LinePattern = LinePattern.Dashed;
            memory.MarkerShape = MarkerShape.FilledSquare;
            memory.MarkerSize = 8;
            memory.Axes.YAxis = plot.Axes.Right;
        }

        plot.Title($"Fan-out at {rate:0} events/s in all: p99 and server memory against streams");
        plot.Axes.Bottom.Label.Text = "open streams";
        plot.Axes.Left.Label.Text = "publish → receive p99 (ms)";
        plot.Axes.Right.Label.Text = "peak server RSS (MiB)";
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1000, 560);
    }
}
