using System.Threading.Channels;
using Gateway.Core.Events;

namespace Gateway.Core.Hub;

/// <summary>
/// One stream's place in the hub: a bounded queue of live events, its deadline and heartbeat schedule.
/// Holds no timer of its own: the hub's shared tick drives heartbeats, deadlines and the end grace period.
/// </summary>
public sealed class HubSubscription : IDisposable
{
    private readonly EventHub _hub;
    private readonly Channel<HubSignal> _queue;
    private int _endReason;
    private Action? _abort;

    internal HubSubscription(EventHub hub, string channel, int capacity, DateTimeOffset deadline, DateTimeOffset nextHeartbeat)
    {
        _hub = hub;
        Channel = channel;
        Deadline = deadline;
        NextHeartbeat = nextHeartbeat;
        _queue = System.Threading.Channels.Channel.CreateBounded<HubSignal>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
    }

    public string Channel { get; }

    public DateTimeOffset Deadline { get; }

    /// <summary>Why the stream ends at <see cref="Deadline"/>: its normal length, or its token's expiry.</summary>
    public StreamEndReason DeadlineReason { get; internal init; } = StreamEndReason.Deadline;

    public ChannelReader<HubSignal> Reader => _queue.Reader;

    public StreamEndReason EndReason => (StreamEndReason)Volatile.Read(ref _endReason);

    public bool IsEnded => EndReason != StreamEndReason.None;

    internal DateTimeOffset NextHeartbeat { get; set; }

    internal DateTimeOffset? EndedAt { get; private set; }

    internal bool Aborted { get; private set; }

    /// <summary>Called if the stream has not finished within the grace period after it was told to end (e.g. it is blocked writing to a client that stopped reading).</summary>
    public void OnAbort(Action abort) => _abort = abort;

    internal void Offer(ChannelEvent e)
    {
        if (IsEnded)
        {
            return;
        }

        if (!_queue.Writer.TryWrite(new HubSignal(e)))
        {
            End(StreamEndReason.SlowConsumer, _hub.Now);
        }
    }

    internal void OfferHeartbeat()
    {
        // A queue with items in it is not idle: the next event is the heartbeat.
        if (!IsEnded && _queue.Reader.Count == 0)
        {
            _queue.Writer.TryWrite(HubSignal.Heartbeat);
        }
    }

    internal bool End(StreamEndReason reason, DateTimeOffset now)
    {
        if (Interlocked.CompareExchange(ref _endReason, (int)reason, (int)StreamEndReason.None) != (int)StreamEndReason.None)
        {
            return false;
        }

        EndedAt = now;
        _queue.Writer.TryComplete();
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
        _abort?.Invoke();
    }

    public void Dispose() => _hub.Remove(this);
}
