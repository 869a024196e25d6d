using System.Buffers;

namespace Gateway.Core.Hub;

/// <summary>
/// The streams one fan-out (an event, or a tick's heartbeats) found waiting, woken together afterwards: split into at
/// most one thread-pool work item per core, each of which resumes its share of the streams on its own thread, one
/// after the other (each stream writes, flushes and waits again before the next one resumes).
/// <para>
/// Waking each stream with its own thread-pool work item costs a queue, a dequeue and often a worker's wake-up and
/// spin per delivery, which at a few events a second per channel cost as much CPU as the writes themselves; a stream
/// resumed here still only waits for the streams ahead of it in its share, as it did in the thread pool's queue.
/// </para>
/// </summary>
internal sealed class WakeBatch
{
    // Below this many streams per work item, another work item costs more than it saves by running on another core.
    private const int MinPerWorkItem = 16;

    private readonly int _capacity;
    private SubscriberQueue[]? _queues;
    private int _count;
    private int _sharesRunning;

    // The array is rented with the first waiting stream and returned by the last share to finish: an array per event
    // sized to the channel's subscribers was most of the garbage a fan-out made, and garbage sets how often the
    // collector pauses every stream.
    public WakeBatch(int capacity) => _capacity = Math.Max(capacity, 1);

    /// <summary>A queue whose waiting reader this batch now owes a wake-up (see <see cref="SubscriberQueue.TryWrite(HubSignal, WakeBatch?)"/>).</summary>
    public void Add(SubscriberQueue queue)
    {
        _queues ??= ArrayPool<SubscriberQueue>.Shared.Rent(_capacity);
        if (_count == _queues.Length)
        {
            var larger = ArrayPool<SubscriberQueue>.Shared.Rent(_count * 2);
            Array.Copy(_queues, larger, _count);
            ArrayPool<SubscriberQueue>.Shared.Return(_queues, clearArray: true);
            _queues = larger;
        }

        _queues[_count++] = queue;
    }

    /// <summary>Queues the wake-ups to the thread pool and returns at once; the batch is not used afterwards.</summary>
    public void Dispatch()
    {
        if (_queues is null)
        {
            return;
        }

        var parts = Math.Clamp(_count / MinPerWorkItem, 1, Environment.ProcessorCount);
        _sharesRunning = parts;
        var start = 0;
        for (var part = 0; part < parts; part++)
        {
            // The first parts take the remainder, one stream each.
            var length = (_count / parts) + (part < _count % parts ? 1 : 0);
            ThreadPool.UnsafeQueueUserWorkItem(new Share(this, start, length), preferLocal: false);
            start += length;
        }
    }

    private void ShareDone()
    {
        if (Interlocked.Decrement(ref _sharesRunning) == 0)
        {
            // Cleared, so the pool does not keep ended streams reachable.
            ArrayPool<SubscriberQueue>.Shared.Return(_queues!, clearArray: true);
            _queues = null;
        }
    }

    /// <summary>One work item's streams: a slice of the batch, resumed in order on the thread that runs it.</summary>
    private sealed class Share(WakeBatch batch, int start, int length) : IThreadPoolWorkItem
    {
        public void Execute()
        {
            var queues = batch._queues!;
            try
            {
                for (var i = start; i < start + length; i++)
                {
                    queues[i].WakeInline();
                }
            }
            finally
            {
                batch.ShareDone();
            }
        }
    }
}
