using Gateway.Core.Bus;
using Gateway.Core.Events;

namespace Gateway.Testing.Faults;

/// <summary>
/// A fan-out that loses what a test tells it to: wraps the real one (register it as the last <see cref="IEventFanout"/>)
/// and silently drops the next publish once armed, as if the copy had expired, been dead-lettered, or its send had
/// failed after the append. Everything else passes through.
/// </summary>
public sealed class DroppingFanout(IEventFanout inner) : IEventFanout
{
    private int _armed;
    private int _dropped;

    /// <summary>How many publishes (batches of committed events) were dropped.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    /// <summary>The next publish is dropped.</summary>
    public void DropNext() => Volatile.Write(ref _armed, 1);

    public Task PublishAsync(IReadOnlyList<ChannelEvent> events, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            Interlocked.Increment(ref _dropped);
            return Task.CompletedTask;
        }

        return inner.PublishAsync(events, cancellationToken);
    }
}
