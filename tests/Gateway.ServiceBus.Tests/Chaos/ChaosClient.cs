using Gateway.Testing;
using Gateway.Testing.Http;
using Gateway.Testing.Sse;

namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>
/// One of the run's clients: an <see cref="EventSourceClient"/> on one channel that starts on one instance and, on
/// each reconnect, moves to the other one with <see cref="ChaosRunOptions.SwitchChance"/> (or when its own is down). It records every event
/// it receives (offset, sequence number, connection, time) for the verdict. While it has no id yet it starts at
/// <c>{epoch}-0</c> once the channel's log exists, so a first stream that broke before any event loses nothing.
/// </summary>
public sealed class ChaosClient
{
    private readonly EventSourceClient _source;
    private readonly List<ChaosDelivery> _received = [];
    private readonly Random _random;
    private readonly ChaosTimeline _timeline;
    private int _instance;
    private bool _connected;
    private long _lastOffset;
    private int _broken;
    private int _stalls;
    private int _lateStarts;

    public ChaosClient(int index, ChaosRunOptions options, HttpClient http, ChaosGateways gateways, ChaosLogReader log, ChaosTimeline timeline)
    {
        Index = index;
        Channel = ChaosProducer.Channel(index, options.Channels);
        _instance = (index / options.Channels) % 2;
        _random = new Random(HashCode.Combine(options.Seed, index));
        _timeline = timeline;
        _source = new EventSourceClient(
            http,
            () => gateways.Address(NextInstance(options.SwitchChance, gateways)),
            GatewayHttp.StreamPath(Channel),
            new EventSourceClientOptions
            {
                InitialRetry = options.Retry,
                MaxRetry = TimeSpan.FromSeconds(2),
                IdleTimeout = options.StreamDuration + TimeSpan.FromSeconds(20),
                StartId = async cancellationToken => await log.HeadAsync(Channel, cancellationToken) is { } head ? $"{head.Epoch}-0" : null,
            },
            OnEvent)
        {
            OnConnectionEnded = OnConnectionEnded,
        };
    }

    public int Index { get; }

    public string Channel { get; }

    public string Name => $"client {Index} ({Channel})";

    /// <summary>The highest offset received so far.</summary>
    public long LastOffset => Interlocked.Read(ref _lastOffset);

    public int Connections => _source.Connections;

    public int Failures => _source.Failures;

    public int Broken => Volatile.Read(ref _broken);

    public int Stalls => Volatile.Read(ref _stalls);

    /// <summary>Times a stream opened without an id started past offset 1 and the client resumed from the start instead.</summary>
    public int LateStarts => Volatile.Read(ref _lateStarts);

    /// <summary>Everything received, in order (read after the client has stopped).</summary>
    public ChaosReceiver Receiver => new(Name, Channel, _received);

    public Task RunAsync(CancellationToken cancellationToken) => _source.RunAsync(cancellationToken);

    private int NextInstance(double switchChance, ChaosGateways gateways)
    {
        // The first connection goes where the client was placed; each reconnect may move, and it moves away from an
        // instance known to be down, as a load balancer's health probe would send it (one that just died still refuses).
        if (_connected && (_random.NextDouble() < switchChance || (!gateways.IsUp(_instance) && gateways.IsUp(1 - _instance))))
        {
            _instance = 1 - _instance;
        }

        _connected = true;
        return _instance;
    }

    private void OnEvent(EventSourceDelivery delivery)
    {
        var item = delivery.Item;
        var offset = string.IsNullOrEmpty(item.EventId) ? -1 : SseIds.Offset(item.EventId);
        if (_received.Count == 0 && offset > 1 && item.EventType != "reset")
        {
            // A stream opened without an id starts at the head as the server read it; the channel's first events
            // may have been committed between our look at the log and that read. We want the channel from its
            // start: drop this event and resume from {epoch}-0 (a harness race, not the gateway's).
            var epoch = item.EventId![..item.EventId!.LastIndexOf('-')];
            _timeline.Detail($"{Name}: first event was offset {offset} (started without an id past the beginning); resuming from {epoch}-0");
            Interlocked.Increment(ref _lateStarts);
            _source.Reconnect($"{epoch}-0");
            return;
        }

        _received.Add(new ChaosDelivery(offset, ChaosProducer.SeqOf(item.Data), item.EventType, item.EventId, item.Data, delivery.Connection, _timeline.Now));
        if (item.EventType == "reset")
        {
            _timeline.Add($"{Name}: reset on connection {delivery.Connection}: {item.Data}");
        }

        if (offset > LastOffset)
        {
            Interlocked.Exchange(ref _lastOffset, offset);
        }
    }

    private void OnConnectionEnded(EventSourceConnection connection)
    {
        switch (connection.Outcome)
        {
            case EventSourceOutcome.Broken:
                Interlocked.Increment(ref _broken);
                break;
            case EventSourceOutcome.Stalled:
                Interlocked.Increment(ref _stalls);
                _timeline.Add($"{Name}: stream on {connection.Server.Authority} stalled: {connection.Error}");
                break;
        }

        if (connection.Outcome is not (EventSourceOutcome.Ended or EventSourceOutcome.Restarted))
        {
            _timeline.Detail($"{Name}: {connection.Outcome} on {connection.Server.Authority} after {connection.SentLastEventId ?? "(no id)"}, {connection.Items} events: {connection.Error}");
        }
    }
}
