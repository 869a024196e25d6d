using Gateway.Client.Streams;
using Gateway.Testing;

namespace Gateway.Client.Tests.Infrastructure;

/// <summary>
/// Enumerates a <see cref="GatewayStream"/> on its own task, collecting the events and the client's connection and
/// reconnect reports, so a test can publish, break things and wait (bounded) for what the client saw.
/// </summary>
public sealed class CollectingReader : IAsyncDisposable
{
    private readonly List<GatewayEvent> _events = [];
    private readonly List<GatewayStreamConnected> _connections = [];
    private readonly List<GatewayStreamReconnect> _reconnects = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _reading;

    /// <summary>Options that report into this reader, on top of <paramref name="options"/>.</summary>
    public GatewayStreamOptions Reporting(GatewayStreamOptions? options = null) => (options ?? new GatewayStreamOptions()) with
    {
        Connected = c => { lock (_connections) { _connections.Add(c); } },
        Reconnecting = r => { lock (_reconnects) { _reconnects.Add(r); } },
    };

    public IReadOnlyList<GatewayEvent> Events { get { lock (_events) { return [.. _events]; } } }

    public IReadOnlyList<GatewayStreamConnected> Connections { get { lock (_connections) { return [.. _connections]; } } }

    public IReadOnlyList<GatewayStreamReconnect> Reconnects { get { lock (_reconnects) { return [.. _reconnects]; } } }

    /// <summary>The exception the enumeration ended with (other than the test's own cancellation), once it ended.</summary>
    public Exception? Failure { get; private set; }

    public void Start(GatewayStream stream) => _reading = Task.Run(async () =>
    {
        try
        {
            await foreach (var e in stream.WithCancellation(_stop.Token))
            {
                lock (_events)
                {
                    _events.Add(e);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Failure = ex;
        }
    });

    public Task UntilEventsAsync(int count) =>
        Waits.UntilAsync(() => Events.Count >= count || Failure is not null, Waits.Test, $"{count} events (have {Events.Count})");

    public Task UntilConnectionsAsync(int count) =>
        Waits.UntilAsync(() => Connections.Count >= count || Failure is not null, Waits.Test, $"{count} connections (have {Connections.Count})");

    public Task UntilReconnectsAsync(int count) =>
        Waits.UntilAsync(() => Reconnects.Count >= count || Failure is not null, Waits.Test, $"{count} reconnect waits (have {Reconnects.Count})");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_reading is not null)
        {
            await _reading.WaitAsync(Waits.Shutdown);
        }

        _stop.Dispose();
    }
}
