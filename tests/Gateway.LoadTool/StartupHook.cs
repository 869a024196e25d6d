using System.Runtime;

/// <summary>
/// Loaded into the child server through <c>DOTNET_STARTUP_HOOKS</c> (the runtime's hook for diagnostics; the type must
/// be named <c>StartupHook</c>, outside any namespace). It lets the tool read the server's GC heap without a change to
/// the server: each line "probe" on the server's stdin forces a full collection and prints the heap figures. A server
/// started by a script (the peer bench) has no stdin to talk to: with <see cref="ProbeDirectoryVariable"/> set, a file
/// <c>request</c> appearing in that directory does the same and the figures are written to the file <c>reply</c>; a
/// request reading <see cref="CountsRequest"/> instead collects nothing and replies with the collections so far and
/// their total pause, which the bench reads around its measured window.
/// </summary>
internal static class StartupHook
{
    public const string Request = "probe";
    public const string CountsRequest = "counts";
    public const string ReplyPrefix = "gateway-load-probe ";
    public const string ProbeDirectoryVariable = "GATEWAY_LOAD_PROBE_DIR";
    public const string RequestFile = "request";
    public const string ReplyFile = "reply";

    public static void Initialize()
    {
        var thread = new Thread(Answer) { IsBackground = true, Name = "gateway-load-probe" };
        thread.Start();
        if (Environment.GetEnvironmentVariable(ProbeDirectoryVariable) is { Length: > 0 } directory)
        {
            var watcher = new Thread(() => AnswerFiles(directory)) { IsBackground = true, Name = "gateway-load-probe-files" };
            watcher.Start();
        }
    }

    private static void Answer()
    {
        while (Console.In.ReadLine() is { } line)
        {
            if (line != Request)
            {
                continue;
            }

            Console.Out.WriteLine($"{ReplyPrefix}{CollectAndMeasure()}");
            Console.Out.Flush();
        }
    }

    // A poll every 100 ms: one stat call, negligible beside what the bench measures.
    private static void AnswerFiles(string directory)
    {
        var request = Path.Combine(directory, RequestFile);
        var reply = Path.Combine(directory, ReplyFile);
        while (true)
        {
            Thread.Sleep(100);
            if (!File.Exists(request))
            {
                continue;
            }

            var asked = File.ReadAllText(request).Trim();
            File.Delete(request);
            var figures = asked == CountsRequest ? Counts() : CollectAndMeasure();
            // Written aside and renamed, so the reader never sees half a line.
            File.WriteAllText(reply + ".tmp", figures);
            File.Move(reply + ".tmp", reply, overwrite: true);
        }
    }

    /// <summary>"gen0 gen1 gen2 pause-ms": collections of each generation since the start, and their total pause.</summary>
    private static string Counts() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)} {GC.GetTotalPauseDuration().TotalMilliseconds:0.###}");

    /// <summary>"heap committed mode" after a compacting full collection, so the figure is live objects, not garbage waiting for the next GC.</summary>
    private static string CollectAndMeasure()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        return $"{GC.GetTotalMemory(forceFullCollection: false)} {info.TotalCommittedBytes} {(GCSettings.IsServerGC ? "server" : "workstation")}";
    }
}
