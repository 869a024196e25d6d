using System.Threading.Channels;
using Gateway.Core.Options;
using Microsoft.Extensions.Options;

namespace Gateway.Core.Bus;

/// <summary>
/// The embedded bus: a bounded in-process queue drained by <see cref="InMemoryIngestService"/>. Publishers
/// wait when it is full, so nothing is dropped.
/// </summary>
public sealed class InMemoryEventBus(IOptions<InMemoryOptions> options) : IEventBus
{
    private readonly Channel<IncomingEvent> _queue = Channel.CreateBounded<IncomingEvent>(
        new BoundedChannelOptions(options.Value.BusCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    // Source ids are unique per bus, not only per process run: two buses that feed one log (test instances sharing an
    // in-memory log) must not have each other's events dropped as duplicates.
    private readonly string _prefix = "mem-" + Events.EventPosition.NewEpoch() + "-";
    private long _sequence;

    internal ChannelReader<IncomingEvent> Reader => _queue.Reader;

    public Task PublishAsync(string channel, string? eventName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var sourceId = _prefix + Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return _queue.Writer.WriteAsync(new IncomingEvent(channel, eventName, data, sourceId), cancellationToken).AsTask();
    }
}
