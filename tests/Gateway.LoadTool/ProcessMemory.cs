namespace Gateway.LoadTool;

/// <summary>Linux process figures read from <c>/proc</c>, so a server in another process is measured without the client mixed in.</summary>
public static class ProcessMemory
{
    /// <summary>Resident set size (VmRSS) of <paramref name="pid"/>, in bytes.</summary>
    public static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                // "VmRSS:     123456 kB"
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no VmRSS line.");
    }

    /// <summary>This process's soft limit on open files (each stream is one socket here, and one in the server).</summary>
    public static long OpenFileLimit()
    {
        foreach (var line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var soft = line["Max open files".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return soft == "unlimited" ? long.MaxValue : long.Parse(soft);
            }
        }

        throw new InvalidOperationException("/proc/self/limits has no 'Max open files' line.");
    }
}
