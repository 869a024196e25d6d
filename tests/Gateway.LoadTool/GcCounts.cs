using System.Globalization;

namespace Gateway.LoadTool;

/// <summary>A server's garbage collections per generation and their total pause, as <see cref="StartupHook"/> reports them.</summary>
internal sealed record GcCounts(int Gen0, int Gen1, int Gen2, double PauseMilliseconds)
{
    /// <summary>Reads "gen0 gen1 gen2 pause-ms".</summary>
    public static GcCounts Parse(string figures)
    {
        var parts = figures.Trim().Split(' ');
        return new GcCounts(
            int.Parse(parts[0], CultureInfo.InvariantCulture),
            int.Parse(parts[1], CultureInfo.InvariantCulture),
            int.Parse(parts[2], CultureInfo.InvariantCulture),
            double.Parse(parts[3], CultureInfo.InvariantCulture));
    }

    /// <summary>What happened between <paramref name="before"/> and this.</summary>
    public GcCounts Since(GcCounts before) =>
        new(Gen0 - before.Gen0, Gen1 - before.Gen1, Gen2 - before.Gen2, PauseMilliseconds - before.PauseMilliseconds);
}
