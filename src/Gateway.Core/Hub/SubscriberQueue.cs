using System.Threading.Tasks.Sources;

namespace Gateway.Core.Hub;

/// <summary>
/// One stream's bounded queue of <see cref="HubSignal"/>s: many writers (the hub), one reader (the stream).
/// <para>
/// Lighter than a bounded <c>Channel&lt;T&gt;</c> for what a stream needs, which matters because every open stream
/// holds one, idle or not, and every event wakes one per stream: no reusable operation objects for writers (writers
/// never wait here), one reusable waiter for the single reader, a ring buffer that grows only as far as a burst needs
/// and is given back when it drains, and one cancellation registration for the stream's life instead of one per wait
/// (a per-wait registration is two allocations per delivered event).
/// </para>
/// </summary>
public sealed class SubscriberQueue : IValueTaskSource<bool>, IDisposable
{
    // A burst grows the ring; once drained, a ring larger than this is dropped so an idle stream holds no array.
    private const int KeptRingLength = 16;

    private readonly Lock _gate = new();
    private readonly int _capacity;
    private HubSignal[] _ring = [];
    private int _head;
    private int _count;
    private bool _completed;
    private bool _waiting;
    private ManualResetValueTaskSourceCore<bool> _waiter = new() { RunContinuationsAsynchronously = true };
    private CancellationToken _boundToken;
    private CancellationTokenRegistration _registration;

    internal SubscriberQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>Signals waiting to be read.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>True once the queue was completed (the stream was told to end) and everything in it was read.</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_gate)
            {
                return _completed && _count == 0;
            }
        }
    }

    /// <summary>Takes the oldest signal, if there is one.</summary>
    public bool TryRead(out HubSignal signal)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                signal = default;
                return false;
            }

            signal = _ring[_head];
            _ring[_head] = default;
            _head = (_head + 1) % _ring.Length;
            if (--_count == 0)
            {
                _head = 0;
                if (_ring.Length > KeptRingLength)
                {
                    _ring = [];
                }
            }

            return true;
        }
    }

    /// <summary>
    /// Completes with true when a signal can be read, false once the queue is completed and drained. The first
    /// cancelable <paramref name="cancellationToken"/> is the queue's for its whole life (one registration per stream,
    /// not one per wait): once it is cancelled, a pending and every later wait throw <see cref="OperationCanceledException"/>.
    /// Passing another cancelable token afterwards is a programming error.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.CanBeCanceled)
        {
            Bind(cancellationToken);
        }

        lock (_gate)
        {
            if (_count > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            if (_boundToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<bool>(_boundToken);
            }

            if (_waiting)
            {
                throw new InvalidOperationException("The queue has one reader, and it is already waiting.");
            }

            _waiter.Reset();
            _waiting = true;
            return new ValueTask<bool>(this, _waiter.Version);
        }
    }

    /// <summary>Adds a signal unless the queue is full or completed; wakes the reader if it waits.</summary>
    internal bool TryWrite(HubSignal signal) => TryWrite(signal, wakes: null);

    /// <summary>
    /// Adds a signal unless the queue is full or completed. A waiting reader is woken now (its continuation queued to
    /// the thread pool) or, with <paramref name="wakes"/>, added to that batch, which then owes it the wake-up
    /// (<see cref="WakeInline"/>): until then the reader stays asleep and later writes only queue.
    /// </summary>
    internal bool TryWrite(HubSignal signal, WakeBatch? wakes)
    {
        lock (_gate)
        {
            if (_completed || _count == _capacity)
            {
                return false;
            }

            if (_count == _ring.Length)
            {
                Grow();
            }

            _ring[(_head + _count) % _ring.Length] = signal;
            _count++;
            if (!_waiting)
            {
                return true;
            }

            _waiting = false;
        }

        if (wakes is not null)
        {
            wakes.Add(this);
            return true;
        }

        // Outside the lock; the continuation runs on the thread pool, never on the writer's thread.
        Signal(true, inline: false);
        return true;
    }

    /// <summary>
    /// Wakes the reader that a <see cref="WakeBatch"/> took over from <see cref="TryWrite(HubSignal, WakeBatch?)"/>,
    /// running its continuation on this thread: the batch's work item, never a writer's.
    /// </summary>
    internal void WakeInline() => Signal(true, inline: true);

    /// <summary>Takes no more signals; what is queued can still be read, then waits return false.</summary>
    internal void Complete()
    {
        bool readable;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            if (!_waiting)
            {
                return;
            }

            _waiting = false;
            readable = _count > 0;
        }

        Signal(readable, inline: false);
    }

    /// <summary>Drops every queued signal.</summary>
    internal void Clear()
    {
        lock (_gate)
        {
            Array.Clear(_ring);
            _head = 0;
            _count = 0;
        }
    }

    public void Dispose() => _registration.Dispose();

    bool IValueTaskSource<bool>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);

    private void Bind(CancellationToken cancellationToken)
    {
        if (_boundToken.CanBeCanceled)
        {
            if (_boundToken != cancellationToken)
            {
                throw new InvalidOperationException("A subscriber queue is bound to one cancellation token for its life.");
            }

            return;
        }

        // Only the reader calls this, so there is no race on the first binding.
        _boundToken = cancellationToken;
        _registration = cancellationToken.UnsafeRegister(static state => ((SubscriberQueue)state!).Cancelled(), this);
    }

    private void Cancelled()
    {
        lock (_gate)
        {
            if (!_waiting)
            {
                return;
            }

            _waiting = false;
        }

        _waiter.RunContinuationsAsynchronously = true;
        _waiter.SetException(new OperationCanceledException(_boundToken));
    }

    // Only the one caller that cleared _waiting under the lock signals a wait, so nobody else touches the flag meanwhile.
    private void Signal(bool result, bool inline)
    {
        _waiter.RunContinuationsAsynchronously = !inline;
        _waiter.SetResult(result);
    }

    private void Grow()
    {
        var next = new HubSignal[Math.Min(_capacity, Math.Max(4, _ring.Length * 2))];
        for (var i = 0; i < _count; i++)
        {
            next[i] = _ring[(_head + i) % _ring.Length];
        }

        _ring = next;
        _head = 0;
    }
}
