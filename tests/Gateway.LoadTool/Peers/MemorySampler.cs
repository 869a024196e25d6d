namespace Gateway.LoadTool.Peers;

/// <summary>
/// Samples a <see cref="ProcessTree"/>'s memory in the background and keeps the peaks: the resident set every 100 ms,
/// the process list (a scan of <c>/proc</c>) and Pss (a walk of every page) every second, since their cost is the
/// tool's and grows with the server's memory, not with what the run measures.
/// </summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private const int SlowEvery = 10;
    private readonly ProcessTree _tree;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _peakRss;
    private long _peakPss;

    public MemorySampler(ProcessTree tree)
    {
        _tree = tree;
        _sampling = Task.Run(SampleAsync);
    }

    public long PeakRss => Interlocked.Read(ref _peakRss);

    public long PeakPss => Interlocked.Read(ref _peakPss);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        IReadOnlyList<int> pids = [];
        var tick = 0;
        do
        {
            var slow = tick++ % SlowEvery == 0;
            pids = slow ? _tree.Pids() : pids;
            var (rss, pss) = ProcessTree.Memory(pids, withPss: slow);
            Interlocked.Exchange(ref _peakRss, Math.Max(PeakRss, rss));
            Interlocked.Exchange(ref _peakPss, Math.Max(PeakPss, pss));
        }
        while (await Tick(timer));
    }

    private async Task<bool> Tick(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
