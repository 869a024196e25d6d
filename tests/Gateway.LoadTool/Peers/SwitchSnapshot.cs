using System.Globalization;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// The context switches of every thread of some processes at one moment, by thread id (<c>/proc/&lt;pid&gt;/task/&lt;tid&gt;/status</c>:
/// the kernel counts them per thread; a process's own <c>status</c> shows only its main thread's).
/// </summary>
internal sealed class SwitchSnapshot(IReadOnlyDictionary<int, ContextSwitches> threads)
{
    public IReadOnlyDictionary<int, ContextSwitches> Threads => threads;

    public static SwitchSnapshot Of(IEnumerable<int> pids)
    {
        var threads = new Dictionary<int, ContextSwitches>();
        foreach (var pid in pids)
        {
            IEnumerable<string> tasks;
            try
            {
                tasks = Directory.GetDirectories($"/proc/{pid}/task");
            }
            catch (IOException)
            {
                continue; // The process ended after the tree was listed.
            }

            foreach (var task in tasks)
            {
                if (int.TryParse(Path.GetFileName(task), out var tid) && Read($"{task}/status") is { } switches)
                {
                    threads[tid] = switches;
                }
            }
        }

        return new SwitchSnapshot(threads);
    }

    /// <summary>
    /// The switches since <paramref name="earlier"/>, summed thread by thread: a thread started since counts from 0.
    /// A thread that ended in between is lost (its counts went with it, and subtracting its earlier ones from nothing
    /// would make the sum wrong rather than short); rare for these servers, whose threads live as long as they do.
    /// </summary>
    public ContextSwitches Since(SwitchSnapshot earlier)
    {
        var sum = default(ContextSwitches);
        foreach (var (tid, now) in threads)
        {
            sum += now - earlier.Threads.GetValueOrDefault(tid);
        }

        return sum;
    }

    private static ContextSwitches? Read(string statusFile)
    {
        long? voluntary = null, involuntary = null;
        try
        {
            foreach (var line in File.ReadLines(statusFile))
            {
                // "voluntary_ctxt_switches:\t12" and "nonvoluntary_ctxt_switches:\t3", the last lines of the file.
                if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                {
                    voluntary = Value(line);
                }
                else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                {
                    involuntary = Value(line);
                }
            }
        }
        catch (IOException)
        {
            return null; // The thread ended between the listing and this read.
        }

        return voluntary is { } v && involuntary is { } i ? new ContextSwitches(v, i) : null;

        static long Value(string line) => long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
    }
}
