using Gateway.BenchPlot;
using Xunit;

namespace Gateway.Tests.LoadTool;

/// <summary>
/// The bench's Markdown table (tests/Gateway.BenchPlot) from the load tool's JSON lines: the kernel's share of the
/// server CPU and the context switches get a column each, and a line written before the tool measured them still
/// renders, with "–" in those cells.
/// </summary>
public sealed class BenchTableTests
{
    private const string KernelColumn = "of which kernel µs";
    private const string SwitchesColumn = "server context switches per 1,000 deliveries (voluntary + involuntary)";

    [Fact]
    public void The_kernel_share_and_the_context_switches_read_base_slash_subject_with_the_ratio()
    {
        var rows = new[]
        {
            BenchRow.Parse(Line("nchan", cpu: 14.0, kernel: 6.0, voluntary: 10.0, involuntary: 1.0)),
            BenchRow.Parse(Line("gateway", cpu: 18.0, kernel: 9.0, voluntary: 20.0, involuntary: 2.0)),
        };

        var cells = Cells(BenchTable.Render(rows, "nchan", "gateway"));

        Assert.Equal("14.0 / 18.0 (1.29×)", cells["server CPU µs per delivery"]);
        Assert.Equal("6.0 / 9.0 (1.50×)", cells[KernelColumn]);
        Assert.Equal("10.0 + 1.0 / 20.0 + 2.0 (2.00×)", cells[SwitchesColumn]);
    }

    [Fact]
    public void Lines_without_the_split_render_a_dash_in_its_columns_and_everything_else_as_before()
    {
        var rows = new[]
        {
            BenchRow.Parse(Line("nchan", cpu: 14.0, kernel: null, voluntary: null, involuntary: null)),
            BenchRow.Parse(Line("gateway", cpu: 18.0, kernel: 9.0, voluntary: 20.0, involuntary: 2.0)),
        };

        var table = BenchTable.Render(rows, "nchan", "gateway");
        var cells = Cells(table);

        Assert.Equal("14.0 / 18.0 (1.29×)", cells["server CPU µs per delivery"]);
        Assert.Equal("– / 9.0", cells[KernelColumn]);
        Assert.Equal("– / 20.0 + 2.0", cells[SwitchesColumn]);
        Assert.Equal("0.09 / 0.10 (1.11×)", cells["server cores"]);
        Assert.Equal("0/0/0; 0/0/0", cells["lost / dup / out of order (nchan; gateway)"]);
    }

    /// <summary>A JSON line as the load tool writes it; the new fields are left out where null (an older tool's line).</summary>
    private static string Line(string label, double cpu, double? kernel, double? voluntary, double? involuntary)
    {
        var added = kernel is null ? "" : $",\"serverUserMicrosecondsPerDelivery\":{cpu - kernel.Value},\"serverSystemMicrosecondsPerDelivery\":{kernel}," +
            $"\"serverVoluntarySwitchesPerThousandDeliveries\":{voluntary},\"serverInvoluntarySwitchesPerThousandDeliveries\":{involuntary}";
        var cores = label == "nchan" ? "0.09" : "0.1";
        return "{\"label\":\"" + label + "\",\"streams\":1000,\"channels\":10,\"rate\":50,\"opened\":1000,\"connectFailures\":0," +
            "\"lost\":0,\"duplicated\":0,\"outOfOrder\":0,\"p50\":1.6,\"p99\":4.7,\"deliveriesPerSecond\":5004,\"serverPeakRss\":52658176," +
            $"\"serverCores\":{cores},\"serverCpuMicrosecondsPerDelivery\":{cpu},\"idleBytesPerStream\":10088,\"toolBottleneck\":false{added}}}";
    }

    /// <summary>The table's single data line by column header; the header and every line must have the same number of cells.</summary>
    private static Dictionary<string, string> Cells(string table)
    {
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, lines.Length);
        string[] Split(string line) => [.. line.Trim('|').Split('|').Select(cell => cell.Trim())];
        var (header, rule, data) = (Split(lines[0]), Split(lines[1]), Split(lines[2]));
        Assert.Equal(header.Length, rule.Length);
        Assert.Equal(header.Length, data.Length);
        return header.Zip(data).ToDictionary(pair => pair.First, pair => pair.Second);
    }
}
