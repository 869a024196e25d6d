using System.Diagnostics;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// The streams one process holds for a peer run: opens them (bounded concurrency, one connection each), tallies what
/// they receive, and signals when every open stream has the last warm-up event and the last measured one. With the raw
/// client every stream is read on one poller thread; with HttpClient on the thread pool, so latencies go into striped
/// histograms (a lock each) and thousands of reading loops rarely wait on one another.
/// </summary>
internal sealed class ReceiverGroup : IAsyncDisposable
{
    private const int Stripes = 16;

    private readonly PeerPlan _plan;
    private readonly LatencyHistogram[] _all = [.. Enumerable.Range(0, Stripes).Select(_ => new LatencyHistogram())];
    private readonly LatencyHistogram[] _early = [.. Enumerable.Range(0, Stripes).Select(_ => new LatencyHistogram())];
    private readonly LatencyHistogram[] _late = [.. Enumerable.Range(0, Stripes).Select(_ => new LatencyHistogram())];
    private readonly LatencyHistogram[] _fromSchedule = [.. Enumerable.Range(0, Stripes).Select(_ => new LatencyHistogram())];
    private readonly TaskCompletionSource _warm = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly SocketPoller? _poller;
    private readonly SocketsHttpHandler? _handler;
    private readonly HttpClient? _client;
    private readonly List<PeerStream> _open = [];
    private int _waitingWarm;
    private int _waitingDone;
    private long _firstReceive = long.MaxValue;
    private long _lastReceive;

    public ReceiverGroup(PeerPlan plan)
    {
        _plan = plan;
        if (plan.Client == PeerPlan.RawClient)
        {
            _poller = new SocketPoller($"peer poller {plan.RunId}");
            return;
        }

        _handler = new SocketsHttpHandler
        {
            // One connection per stream: no per-server cap, no pooled-connection expiry.
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(20),
            UseProxy = false,
        };
        _client = new HttpClient(_handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public int Opened => _open.Count;

    public int Failed { get; private set; }

    public string? FirstError { get; private set; }

    /// <summary>Completes when every open stream has received the last warm-up event.</summary>
    public Task Warm => _warm.Task;

    /// <summary>Completes when every open stream has received the last event of the run.</summary>
    public Task Done => _done.Task;

    /// <summary>Opens <paramref name="urls"/> (one stream each), <paramref name="concurrency"/> at a time.</summary>
    public async Task OpenAsync(IReadOnlyList<Uri> urls, int concurrency, CancellationToken cancellationToken)
    {
        var streams = urls.Select(url => new PeerStream(this, url, _plan.TotalEvents)).ToList();
        var opened = new bool[streams.Count];
        var failed = 0;
        string? firstError = null;
        await Parallel.ForAsync(0, streams.Count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, _) =>
        {
            try
            {
                await (_poller is { } poller ? streams[i].OpenAsync(poller, _stop.Token) : streams[i].OpenAsync(_client!, _stop.Token));
                opened[i] = true;
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref failed);
                Interlocked.CompareExchange(ref firstError, error.Message, null);
            }
        });

        _open.AddRange(streams.Where((_, i) => opened[i]));
        Failed = failed;
        FirstError = firstError;
        _waitingWarm = _open.Count;
        _waitingDone = _open.Count;
        // Nothing is published before every stream is open, so no milestone was missed while opening.
        if (_open.Count == 0)
        {
            _warm.TrySetResult();
            _done.TrySetResult();
        }
    }

    /// <summary>Called by a stream's reading loop for each first arrival.</summary>
    public void Delivered(PeerStream stream, PeerPayload payload, long now)
    {
        if (payload.Sequence >= _plan.WarmupEvents)
        {
            var milliseconds = Stopwatch.GetElapsedTime(payload.SentTimestamp, now).TotalMilliseconds;
            var stripe = (int)((uint)stream.GetHashCode() % Stripes);
            var measured = payload.Sequence - _plan.WarmupEvents;
            Record(_all[stripe], milliseconds);
            Record(_fromSchedule[stripe], Stopwatch.GetElapsedTime(payload.ScheduledTimestamp, now).TotalMilliseconds);
            if (measured < _plan.Events / 5)
            {
                Record(_early[stripe], milliseconds);
            }
            else if (measured >= _plan.Events - (_plan.Events / 5))
            {
                Record(_late[stripe], milliseconds);
            }

            InterlockedMin(ref _firstReceive, now);
            InterlockedMax(ref _lastReceive, now);
        }

        CheckMilestones(payload.Sequence);
    }

    /// <summary>Stops every stream and returns what they received.</summary>
    public async Task<ReceiverResult> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_open.Select(s => s.Ended)).WaitAsync(TimeSpan.FromSeconds(30));
        // Off the thread the last stream ended on: that may be a raw client's poller, which must not be held.
        await Task.Yield();
        var all = Merge(_all);
        var measuredFrom = _plan.WarmupEvents;
        return new ReceiverResult
        {
            Opened = _open.Count,
            Failed = Failed,
            FirstError = FirstError,
            Deliveries = all.Count,
            Lost = _open.Sum(s => (long)s.Tally.LostFrom(measuredFrom)),
            StreamsWithLoss = _open.Count(s => s.Tally.LostFrom(measuredFrom) > 0),
            Duplicated = _open.Sum(s => (long)s.Tally.Duplicated),
            OutOfOrder = _open.Sum(s => (long)s.Tally.OutOfOrder),
            EndedEarly = _open.Count(s => s.EndedEarly is not null),
            FirstEndReason = _open.Select(s => s.EndedEarly).FirstOrDefault(r => r is not null),
            FirstReceive = _firstReceive == long.MaxValue ? 0 : _firstReceive,
            LastReceive = _lastReceive,
            Latency = all.Serialize(),
            Early = Merge(_early).Serialize(),
            Late = Merge(_late).Serialize(),
            FromSchedule = Merge(_fromSchedule).Serialize(),
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        _client?.Dispose();
        _handler?.Dispose();
        _poller?.Dispose();
        _stop.Dispose();
    }

    private static void Record(LatencyHistogram histogram, double milliseconds)
    {
        lock (histogram)
        {
            histogram.Record(milliseconds);
        }
    }

    private static LatencyHistogram Merge(LatencyHistogram[] stripes)
    {
        var merged = new LatencyHistogram();
        foreach (var stripe in stripes)
        {
            lock (stripe)
            {
                merged.Merge(stripe);
            }
        }

        return merged;
    }

    private static void InterlockedMin(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (value < current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }

    // The milestones count streams, once each: the first arrival of the last warm-up sequence, and of the last one.
    private void CheckMilestones(int sequence)
    {
        if (sequence == _plan.WarmupEvents - 1 && Interlocked.Decrement(ref _waitingWarm) == 0)
        {
            _warm.TrySetResult();
        }

        if (sequence == _plan.TotalEvents - 1 && Interlocked.Decrement(ref _waitingDone) == 0)
        {
            _done.TrySetResult();
        }
    }
}
