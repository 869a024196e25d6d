using Gateway.Core.Bus;
using Gateway.Core.Events;

namespace Gateway.ServiceBus.Tests.Infrastructure;

/// <summary>
/// Wraps the real fan-out (register it as the <see cref="IEventFanout"/>) and holds each call until the test lets it
/// go: through to the real send (<see cref="Release"/>), or failing (<see cref="Fail"/>); a held call also ends when
/// ingest cancels it. Records the offsets of every call in order and the most calls that were ever under way at once.
/// </summary>
public sealed class HeldFanout(IEventFanout inner) : IEventFanout
{
    private readonly Lock _gate = new();
    private readonly List<Call> _calls = [];
    private int _passFrom = int.MaxValue;
    private int _underWay;
    private int _mostAtOnce;

    /// <summary>The offsets each call carried, in the order the calls began.</summary>
    public IReadOnlyList<long[]> Offsets
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls.Where(c => c.Offsets is not null).Select(c => c.Offsets!)];
            }
        }
    }

    /// <summary>The most calls that were under way at the same time.</summary>
    public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

    /// <summary>Completes with call <paramref name="index"/>'s offsets (0: the first call) once it has begun and is held.</summary>
    public Task<long[]> BeganAsync(int index) => CallAt(index).Began.Task.WaitAsync(Gateway.Testing.Waits.Item);

    /// <summary>Call <paramref name="index"/> goes on to the real send.</summary>
    public void Release(int index) => CallAt(index).Outcome.TrySetResult(null);

    /// <summary>Call <paramref name="index"/> throws <paramref name="failure"/> instead of sending.</summary>
    public void Fail(int index, Exception failure) => CallAt(index).Outcome.TrySetResult(failure);

    /// <summary>From call <paramref name="index"/> on, calls are not held (those held already are released).</summary>
    public void PassFrom(int index)
    {
        lock (_gate)
        {
            _passFrom = index;
            for (var i = index; i < _calls.Count; i++)
            {
                _calls[i].Outcome.TrySetResult(null);
            }
        }
    }

    public async Task PublishAsync(IReadOnlyList<ChannelEvent> events, CancellationToken cancellationToken)
    {
        Call call;
        bool held;
        lock (_gate)
        {
            var index = _calls.FindIndex(c => c.Offsets is null);
            if (index < 0)
            {
                index = _calls.Count;
                _calls.Add(new Call());
            }

            call = _calls[index];
            call.Offsets = [.. events.Select(e => e.Offset)];
            held = index < _passFrom;
        }

        var underWay = Interlocked.Increment(ref _underWay);
        try
        {
            InterlockedMax(underWay);
            call.Began.TrySetResult(call.Offsets);
            if (held && await call.Outcome.Task.WaitAsync(cancellationToken) is { } failure)
            {
                throw failure;
            }

            await inner.PublishAsync(events, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _underWay);
        }
    }

    private Call CallAt(int index)
    {
        lock (_gate)
        {
            while (_calls.Count <= index)
            {
                _calls.Add(new Call());
            }

            return _calls[index];
        }
    }

    private void InterlockedMax(int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref _mostAtOnce)) && Interlocked.CompareExchange(ref _mostAtOnce, value, seen) != seen)
        {
        }
    }

    private sealed class Call
    {
        public long[]? Offsets { get; set; }

        public TaskCompletionSource<long[]> Began { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<Exception?> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
