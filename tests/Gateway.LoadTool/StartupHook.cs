using System.Runtime;

/// <summary>
/// Loaded into the child server through <c>DOTNET_STARTUP_HOOKS</c> (the runtime's hook for diagnostics; the type must
/// be named <c>StartupHook</c>, outside any namespace). It lets the tool read the server's GC heap without a change to
/// the server: each line "probe" on the server's stdin forces a full collection and prints the heap figures.
/// </summary>
internal static class StartupHook
{
    public const string Request = "probe";
    public const string ReplyPrefix = "gateway-load-probe ";

    public static void Initialize()
    {
        var thread = new Thread(Answer) { IsBackground = true, Name = "gateway-load-probe" };
        thread.Start();
    }

    private static void Answer()
    {
        while (Console.In.ReadLine() is { } line)
        {
            if (line != Request)
            {
                continue;
            }

            // A compacting full collection, so the figure is live objects, not garbage waiting for the next GC.
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
            Console.Out.WriteLine($"{ReplyPrefix}{GC.GetTotalMemory(forceFullCollection: false)} {info.TotalCommittedBytes} {(GCSettings.IsServerGC ? "server" : "workstation")}");
            Console.Out.Flush();
        }
    }
}
