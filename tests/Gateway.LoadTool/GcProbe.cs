namespace Gateway.LoadTool;

/// <summary>What <see cref="StartupHook"/> reported: live GC heap, memory the GC has committed, and the GC mode.</summary>
internal sealed record GcProbe(long HeapBytes, long CommittedBytes, string Mode)
{
    public static GcProbe? TryParse(string line)
    {
        if (!line.StartsWith(StartupHook.ReplyPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = line[StartupHook.ReplyPrefix.Length..].Split(' ');
        return new GcProbe(long.Parse(parts[0]), long.Parse(parts[1]), parts[2]);
    }
}
