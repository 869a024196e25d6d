using Gateway.Core.Events;
using Gateway.Core.Log;

namespace Gateway.Core.Hub;

/// <summary>
/// One stream's place in the hub: a bounded queue of live events, its deadline and heartbeat schedule.
/// Holds no timer of its own: the hub's shared tick drives heartbeats, deadlines and the end grace period.
/// </summary>
public sealed class HubSubscription : IDisposable
{
    private readonly EventHub _hub;
    private readonly SubscriberQueue _queue;
    private int _endReason;
    private int _mode;
    private long _writingSince;
    private long _lastEventTicks;
    private Action<object?>? _abort;
    private object? _abortState;

    internal HubSubscription(EventHub hub, IReadOnlyList<string> channels, int capacity, DateTimeOffset deadline, DateTimeOffset nextHeartbeat)
    {
        _hub = hub;
        Channels = channels;
        Channel = channels[0];
        Deadline = deadline;
        NextHeartbeat = nextHeartbeat;
        _queue = new SubscriberQueue(capacity);
    }

    /// <summary>The (first) channel the stream follows.</summary>
    public string Channel { get; }

    /// <summary>Every channel the stream follows: one for a channel's stream, several for a multi-channel stream.</summary>
    public IReadOnlyList<string> Channels { get; }

    /// <summary>True while the stream catches up from the log (see <see cref="BeginCatchUp"/>).</summary>
    public bool IsCatchingUp => Volatile.Read(ref _mode) != CatchUpMode.Live;

    public DateTimeOffset Deadline { get; }

    /// <summary>Why the stream ends at <see cref="Deadline"/>: its normal length, or its token's expiry.</summary>
    public StreamEndReason DeadlineReason { get; internal init; } = StreamEndReason.Deadline;

    /// <summary>The stream's side of its queue (the hub writes, the stream reads).</summary>
    public SubscriberQueue Reader => _queue;

    public StreamEndReason EndReason => (StreamEndReason)Volatile.Read(ref _endReason);

    public bool IsEnded => EndReason != StreamEndReason.None;

    internal DateTimeOffset NextHeartbeat { get; set; }

    /// <summary>When the hub last queued an event for the stream (<see cref="DateTimeOffset.MinValue"/>: never).</summary>
    internal DateTimeOffset LastEventAt => new(Volatile.Read(ref _lastEventTicks), TimeSpan.Zero);

    internal DateTimeOffset? EndedAt { get; private set; }

    internal bool Aborted { get; private set; }

    /// <summary>
    /// Called with <paramref name="state"/> if the stream has not finished within the grace period after it was told to
    /// end (e.g. it is blocked writing to a client that stopped reading). A static callback and its state cost an open
    /// stream no delegate of its own.
    /// </summary>
    public void OnAbort(Action<object?> abort, object? state)
    {
        _abort = abort;
        _abortState = state;
    }

    /// <summary>
    /// Queues a live event published at <paramref name="now"/>; a waiting stream is woken by <paramref name="wakes"/> once
    /// the hub dispatches it.
    /// </summary>
    internal void Offer(ChannelEvent e, DateTimeOffset now, WakeBatch? wakes = null)
    {
        if (IsEnded)
        {
            return;
        }

        if (_queue.TryWrite(new HubSignal(e), wakes))
        {
            // Ticks, not a reference: this store per delivery dirties nothing the collector must scan.
            Volatile.Write(ref _lastEventTicks, now.UtcTicks);
            return;
        }

        // While the stream catches up from the log, a full queue is a gap the log fills afterwards, not a slow
        // consumer: the client may be reading steadily through a backlog that takes longer than the queue lasts.
        if (Interlocked.CompareExchange(ref _mode, CatchUpMode.Behind, CatchUpMode.CatchingUp) == CatchUpMode.Live)
        {
            End(StreamEndReason.SlowConsumer, _hub.Now);
        }
    }

    /// <summary>
    /// Enters catch-up: from now until <see cref="TryGoLive"/> succeeds, a full queue drops live events and marks the
    /// subscription behind instead of ending the stream. A write that does not complete within the end grace period
    /// still ends it (see <see cref="WriteStarted"/>).
    /// </summary>
    public void BeginCatchUp() => Volatile.Write(ref _mode, CatchUpMode.CatchingUp);

    /// <summary>
    /// Leaves catch-up unless live events were dropped since <see cref="BeginCatchUp"/> (or the last call): then it
    /// empties the queue, stays in catch-up and returns false, and the caller reads the log up to its head again.
    /// </summary>
    public bool TryGoLive()
    {
        if (Interlocked.CompareExchange(ref _mode, CatchUpMode.Live, CatchUpMode.CatchingUp) == CatchUpMode.CatchingUp)
        {
            return true;
        }

        Volatile.Write(ref _mode, CatchUpMode.CatchingUp);

        // What the queue holds is older than what the next read of the log returns; heartbeats are not needed while writing.
        _queue.Clear();

        return false;
    }

    /// <summary>Marks a write to the client as in flight (cleared by <see cref="WriteCompleted"/>), for the stall check during catch-up.</summary>
    public void WriteStarted() => Volatile.Write(ref _writingSince, _hub.Now.UtcTicks);

    public void WriteCompleted() => Volatile.Write(ref _writingSince, 0);

    internal bool IsStalledCatchingUp(DateTimeOffset now, TimeSpan grace)
    {
        var since = Volatile.Read(ref _writingSince);
        return since != 0 && IsCatchingUp && now.UtcTicks - since >= grace.Ticks;
    }

    internal void OfferHeartbeat(WakeBatch? wakes = null)
    {
        // A queue with items in it is not idle: the next event is the heartbeat.
        if (!IsEnded && _queue.Count == 0)
        {
            _queue.TryWrite(HubSignal.Heartbeat, wakes);
        }
    }

    internal void OfferHead(string channel, LogHead head)
    {
        // A full queue already has work for the stream (or the next event ends it as a slow consumer): skip it.
        if (!IsEnded)
        {
            _queue.TryWrite(new HubSignal(null, head, channel));
        }
    }

    internal bool End(StreamEndReason reason, DateTimeOffset now)
    {
        if (Interlocked.CompareExchange(ref _endReason, (int)reason, (int)StreamEndReason.None) != (int)StreamEndReason.None)
        {
            return false;
        }

        EndedAt = now;
        _queue.Complete();
        _hub.OnEnded(this, reason);
        return true;
    }

    internal void Abort()
    {
        if (Aborted)
        {
            return;
        }

        Aborted = true;
        _abort?.Invoke(_abortState);
    }

    public void Dispose()
    {
        _hub.Remove(this);
        _queue.Dispose();
    }

    private static class CatchUpMode
    {
        public const int Live = 0;
        public const int CatchingUp = 1;
        public const int Behind = 2;
    }
}
