using System.Collections.Concurrent;
using Gateway.Core.Events;
using Gateway.Core.Log;
using Gateway.Core.Options;
using Microsoft.Extensions.Options;

namespace Gateway.Core.Hub;

/// <summary>
/// In-process fan-out: channel → the streams on this instance that follow it. Publishing never blocks:
/// a subscriber whose bounded queue is full is ended as a slow consumer and the others are unaffected.
/// </summary>
public sealed class EventHub
{
    private readonly ConcurrentDictionary<string, HubSubscription[]> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ChannelActivity> _activity = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<StreamOptions> _options;
    private int _count;
    private volatile bool _stopping;

    public EventHub(TimeProvider time, IOptionsMonitor<StreamOptions> options)
    {
        _time = time;
        _options = options;
    }

    /// <summary>Raised when a stream is told to end, for metrics and logs.</summary>
    public event Action<HubSubscription, StreamEndReason>? Ended;

    public int SubscriberCount => Volatile.Read(ref _count);

    public bool IsStopping => _stopping;

    internal DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>
    /// Registers a stream; the caller disposes the subscription when the stream ends. <paramref name="notAfter"/>, the
    /// end of the client's access (its token's expiry), replaces the stream's own deadline when it is earlier.
    /// </summary>
    public HubSubscription Subscribe(string channel, DateTimeOffset? notAfter = null) => Subscribe([channel], notAfter);

    /// <summary>
    /// Registers one stream that follows every channel in <paramref name="channels"/> (distinct names) with one queue,
    /// one deadline and one heartbeat schedule; otherwise as <see cref="Subscribe(string, DateTimeOffset?)"/>.
    /// </summary>
    public HubSubscription Subscribe(IReadOnlyList<string> channels, DateTimeOffset? notAfter = null)
    {
        var o = _options.CurrentValue;
        var now = _time.GetUtcNow();
        var jitter = o.DeadlineJitter <= TimeSpan.Zero ? TimeSpan.Zero : o.DeadlineJitter * Random.Shared.NextDouble();
        var deadline = now + o.MaxDuration - jitter;

        // One deadline per stream, whichever comes first; the shared tick needs no timer of its own for tokens.
        var (end, reason) = notAfter < deadline ? (notAfter.Value, StreamEndReason.TokenExpired) : (deadline, StreamEndReason.Deadline);
        var subscription = new HubSubscription(this, channels, o.QueueCapacity, end, now + o.HeartbeatInterval) { DeadlineReason = reason };
        lock (_gate)
        {
            foreach (var channel in channels)
            {
                var current = _channels.TryGetValue(channel, out var list) ? list : [];
                _channels[channel] = [.. current, subscription];
                if (current.Length == 0)
                {
                    // The stream reads the head as it starts: the channel is quiet from now.
                    _activity[channel] = new ChannelActivity(now);
                }
            }

            _count++;
        }

        if (_stopping)
        {
            subscription.End(StreamEndReason.Shutdown, now);
        }

        return subscription;
    }

    /// <summary>How many streams on this instance follow <paramref name="channel"/> (a multi-channel stream counts once per channel it follows).</summary>
    public int SubscriberCountOf(string channel) => _channels.TryGetValue(channel, out var subscribers) ? subscribers.Length : 0;

    public void Publish(ChannelEvent e)
    {
        if (_channels.TryGetValue(e.Channel, out var subscribers))
        {
            var now = _time.GetUtcNow();
            if (_activity.TryGetValue(e.Channel, out var activity))
            {
                activity.Seen(now);
            }

            // The streams are woken after every one has the event, together (see WakeBatch), not one work item each.
            // A wake-up the batch took over must happen even if a handler of Ended throws, or the stream sleeps forever.
            var wakes = new WakeBatch(subscribers.Length);
            try
            {
                foreach (var s in subscribers)
                {
                    s.Offer(e, now, wakes);
                }
            }
            finally
            {
                wakes.Dispatch();
            }
        }
    }

    /// <summary>The shared clock of all streams: heartbeats, deadlines, and aborting streams that overran their end.</summary>
    public void Tick()
    {
        var o = _options.CurrentValue;
        var now = _time.GetUtcNow();
        WakeBatch? heartbeats = null;
        try
        {
            TickAll(o, now, ref heartbeats);
        }
        finally
        {
            heartbeats?.Dispatch();
        }
    }

    private void TickAll(StreamOptions o, DateTimeOffset now, ref WakeBatch? heartbeats)
    {
        foreach (var subscribers in _channels.Values)
        {
            foreach (var s in subscribers)
            {
                if (s.EndedAt is { } endedAt)
                {
                    if (now - endedAt >= o.EndGracePeriod)
                    {
                        s.Abort();
                    }
                }
                else if (now >= s.Deadline)
                {
                    s.End(s.DeadlineReason, now);
                }
                else if (s.IsStalledCatchingUp(now, StallLimit(o)))
                {
                    // Overflow does not end a stream that is catching up from the log, so a write that does not
                    // complete within the grace period is what tells a client that stopped reading.
                    s.End(StreamEndReason.SlowConsumer, now);
                }
                else if (now >= s.NextHeartbeat)
                {
                    // A heartbeat only ends a quiet interval: a stream that got an event since is not idle, and its
                    // next heartbeat is due an interval after that event (a busy stream never gets one).
                    var quietUntil = s.LastEventAt + o.HeartbeatInterval;
                    if (quietUntil > now)
                    {
                        s.NextHeartbeat = quietUntil;
                    }
                    else
                    {
                        s.NextHeartbeat = now + o.HeartbeatInterval;
                        s.OfferHeartbeat(heartbeats ??= new WakeBatch(subscribers.Length));
                    }
                }
            }
        }
    }

    /// <summary>The followed channels with their activity, for <see cref="LogHeadWatch"/>.</summary>
    internal IEnumerable<KeyValuePair<string, ChannelActivity>> Activity => _activity;

    /// <summary>
    /// The log's head of a channel, read by <see cref="LogHeadWatch"/>: when it differs from the last one read, every
    /// stream of the channel is told, and one that is behind it reads the missing events from the log.
    /// </summary>
    /// <returns>True when the streams were told.</returns>
    internal bool HeadRead(string channel, LogHead head)
    {
        if (!head.Exists || !_activity.TryGetValue(channel, out var activity) || activity.CheckedHead == head)
        {
            return false;
        }

        activity.CheckedHead = head;
        if (_channels.TryGetValue(channel, out var subscribers))
        {
            foreach (var s in subscribers)
            {
                s.OfferHead(channel, head);
            }
        }

        return true;
    }

    /// <summary>Ends every stream at once (host shutdown); streams that subscribe afterwards end immediately too.</summary>
    public void EndAll(StreamEndReason reason)
    {
        if (reason == StreamEndReason.Shutdown)
        {
            _stopping = true;
        }

        var now = _time.GetUtcNow();
        foreach (var subscribers in _channels.Values)
        {
            foreach (var s in subscribers)
            {
                s.End(reason, now);
            }
        }
    }

    // A write that takes longer than this while catching up means the client stopped reading; never under a second,
    // so a zero grace period (abort at once after an end) does not end streams whose write is merely in flight.
    private static TimeSpan StallLimit(StreamOptions o) => o.EndGracePeriod > TimeSpan.FromSeconds(1) ? o.EndGracePeriod : TimeSpan.FromSeconds(1);

    internal void OnEnded(HubSubscription subscription, StreamEndReason reason) => Ended?.Invoke(subscription, reason);

    internal void Remove(HubSubscription subscription)
    {
        lock (_gate)
        {
            var removed = false;
            foreach (var channel in subscription.Channels)
            {
                removed |= RemoveFrom(channel, subscription);
            }

            if (removed)
            {
                _count--;
            }
        }
    }

    private bool RemoveFrom(string channel, HubSubscription subscription)
    {
        if (!_channels.TryGetValue(channel, out var list))
        {
            return false;
        }

        var index = Array.IndexOf(list, subscription);
        if (index < 0)
        {
            return false;
        }

        if (list.Length == 1)
        {
            _channels.TryRemove(channel, out _);
            _activity.TryRemove(channel, out _);
        }
        else
        {
            var next = new HubSubscription[list.Length - 1];
            Array.Copy(list, 0, next, 0, index);
            Array.Copy(list, index + 1, next, index, list.Length - index - 1);
            _channels[channel] = next;
        }

        return true;
    }
}
