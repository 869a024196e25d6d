using System.Globalization;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// A process and its descendants read from <c>/proc</c> (nginx's master and workers, the tool and its receiving
/// workers): CPU seconds so far (user and kernel), context switches so far and resident memory now, summed over the tree.
/// </summary>
internal sealed class ProcessTree(int root)
{
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux the runtime supports.
    private const double TicksPerSecond = 100;

    public int Root => root;

    /// <summary>The root and every live descendant (a scan of /proc: parent ids from each <c>stat</c>).</summary>
    public IReadOnlyList<int> Pids()
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && Stat(pid) is { } stat)
            {
                parents[pid] = stat.Parent;
            }
        }

        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(parents.Where(p => p.Value == tree[i]).Select(p => p.Key));
        }

        return tree;
    }

    /// <summary>User plus system CPU seconds of one process (0 once it has gone).</summary>
    public static double CpuSecondsOf(int pid) => CpuTimesOf(pid).Total;

    /// <summary>User and system CPU seconds of one process, all its threads (0 once it has gone).</summary>
    public static CpuTimes CpuTimesOf(int pid) =>
        Stat(pid) is { } stat ? new CpuTimes(stat.UserTicks / TicksPerSecond, stat.SystemTicks / TicksPerSecond) : default;

    /// <summary>CPU seconds the whole machine spent busy (all cores, all processes) since boot, from <c>/proc/stat</c>.</summary>
    public static double MachineBusySeconds()
    {
        // "cpu  user nice system idle iowait irq softirq steal …" in USER_HZ ticks; idle and iowait are not busy.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long busy = 0;
        foreach (var index in new[] { 1, 2, 3, 6, 7, 8 })
        {
            busy += index < fields.Length ? long.Parse(fields[index], CultureInfo.InvariantCulture) : 0;
        }

        return busy / TicksPerSecond;
    }

    /// <summary>User plus system CPU seconds of the tree's live processes.</summary>
    public double CpuSeconds() => UserAndSystemSeconds().Total;

    /// <summary>User and system CPU seconds of the tree's live processes.</summary>
    public CpuTimes UserAndSystemSeconds() => Pids().Aggregate(default(CpuTimes), (sum, pid) => sum + CpuTimesOf(pid));

    /// <summary>The context switches of every thread of the tree's live processes, now.</summary>
    public SwitchSnapshot Switches() => SwitchSnapshot.Of(Pids());

    /// <summary>Summed VmRSS (shared pages count once per process) and Pss (shared pages split between them), in bytes.</summary>
    public (long Rss, long Pss) Memory() => Memory(Pids(), withPss: true);

    /// <summary>
    /// As <see cref="Memory()"/> for known <paramref name="pids"/>; Pss only <paramref name="withPss"/> (0 otherwise):
    /// the kernel walks every page of a process for <c>smaps_rollup</c>, which for a server holding 10,000 streams cost
    /// the tool more CPU than anything but its receiving.
    /// </summary>
    public static (long Rss, long Pss) Memory(IReadOnlyList<int> pids, bool withPss)
    {
        long rss = 0, pss = 0;
        foreach (var pid in pids)
        {
            rss += Kilobytes($"/proc/{pid}/status", "VmRSS:") * 1024;
            pss += withPss ? Kilobytes($"/proc/{pid}/smaps_rollup", "Pss:") * 1024 : 0;
        }

        return (rss, pss);
    }

    public bool IsAlive => Stat(root) is not null;

    private static (int Parent, long UserTicks, long SystemTicks)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields are counted after the last ')'
        // (field 3, state, is index 0): ppid is field 4, utime field 14, stime field 15.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[1], CultureInfo.InvariantCulture),
            long.Parse(fields[11], CultureInfo.InvariantCulture),
            long.Parse(fields[12], CultureInfo.InvariantCulture));
    }

    private static long Kilobytes(string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // The process ended between the scan and this read.
        }

        return 0;
    }
}
