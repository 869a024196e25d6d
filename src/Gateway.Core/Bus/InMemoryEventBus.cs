using System.Diagnostics;
using System.Threading.Channels;
using Gateway.Core.Options;
using Gateway.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace Gateway.Core.Bus;

/// <summary>
/// The embedded bus: a bounded in-process queue drained by <see cref="InMemoryIngestService"/>. Publishers
/// wait when it is full, so nothing is dropped, and a publish completes only once its event is in the log: the
/// queue dies with the process, so acknowledging earlier would let a crash lose an acknowledged event. The wait is
/// bounded by <see cref="InMemoryOptions.AppendTimeout"/> (see <see cref="PublishTimedOutException"/>).
/// </summary>
public sealed class InMemoryEventBus(IOptions<InMemoryOptions> options, TimeProvider time) : IEventBus
{
    private readonly Channel<QueuedPublish> _queue = Channel.CreateBounded<QueuedPublish>(
        new BoundedChannelOptions(options.Value.BusCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    // Source ids are unique per bus, not only per process run: two buses that feed one log (test instances sharing an
    // in-memory log) must not have each other's events dropped as duplicates.
    private readonly string _prefix = "mem-" + Events.EventPosition.NewEpoch() + "-";
    private long _sequence;

    internal ChannelReader<QueuedPublish> Reader => _queue.Reader;

    public async Task<PublishReceipt> PublishAsync(string channel, string? eventName, ReadOnlyMemory<byte> data, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var sourceId = idempotencyKey is null
            ? _prefix + Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : IdempotencyKey.ToSourceId(idempotencyKey);
        // The publisher's span (the HTTP request) is the ingest span's parent, as a Service Bus message's send would be.
        var trace = GatewayTracing.Source.HasListeners() && Activity.Current is { } current ? current.Context : default;
        var queued = new QueuedPublish(new IncomingEvent(channel, eventName, data, sourceId) { Trace = trace });
        var timeout = options.Value.AppendTimeout;
        var started = time.GetTimestamp();

        // A queue with room takes the event at once, with no timer or linked token to make: the usual case.
        if (!_queue.Writer.TryWrite(queued))
        {
            await EnqueueAsync(queued, timeout, cancellationToken);
        }

        var left = timeout - time.GetElapsedTime(started);
        try
        {
            // The publisher may give up waiting; the event stays queued and is appended all the same.
            return await queued.Committed.Task.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            if (queued.Committed.Task.IsCompletedSuccessfully)
            {
                return await queued.Committed.Task;
            }

            // Still queued: take it back, so it is never appended. Already taken by ingest: it is appended once, later.
            throw new PublishTimedOutException(queued.TryWithdraw(), timeout);
        }
    }

    /// <summary>Waits for room in a full queue, within <paramref name="timeout"/>; a closed queue means the gateway is stopping.</summary>
    private async Task EnqueueAsync(QueuedPublish queued, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timedOut = new CancellationTokenSource(timeout, time);
        using var waitEnds = CancellationTokenSource.CreateLinkedTokenSource(timedOut.Token, cancellationToken);
        try
        {
            await _queue.Writer.WriteAsync(queued, waitEnds.Token);
        }
        catch (ChannelClosedException)
        {
            throw new EventBusClosedException("The gateway is stopping and takes no more events; publish again to a running instance.");
        }
        catch (OperationCanceledException) when (timedOut.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The queue stayed full (the log is down): the event never entered it.
            throw new PublishTimedOutException(withdrawn: true, timeout);
        }
    }

    /// <summary>Takes no more events (the host is stopping); what is queued is still ingested.</summary>
    internal void Close() => _queue.Writer.TryComplete();

    /// <summary>An event waiting for ingest, and its publisher waiting for the append.</summary>
    internal sealed class QueuedPublish(IncomingEvent incoming)
    {
        private const int Waiting = 0;
        private const int Taken = 1;
        private const int Withdrawn = 2;

        private int _state = Waiting;

        public IncomingEvent Event { get; } = incoming;

        public TaskCompletionSource<PublishReceipt> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Ingest takes the event for appending; false when its publisher withdrew it first.</summary>
        public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Waiting) != Withdrawn;

        /// <summary>The publisher gave up: true when the event was still waiting and now never will be appended.</summary>
        public bool TryWithdraw() => Interlocked.CompareExchange(ref _state, Withdrawn, Waiting) != Taken;
    }
}
