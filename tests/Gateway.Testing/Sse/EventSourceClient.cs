using System.Net.ServerSentEvents;

namespace Gateway.Testing.Sse;

/// <summary>
/// A client that behaves like a browser's <c>EventSource</c> over many connections: it reconnects after every
/// break or clean end, waits the last <c>retry:</c> the server sent (bounded by <see cref="EventSourceClientOptions.MaxRetry"/>),
/// and sends the last id it received as <c>Last-Event-ID</c>. Unlike EventSource it also retries after a refused
/// connection or a non-2xx answer (a test wants the client back once the server is), and it gives up on a stream
/// that stays silent past <see cref="EventSourceClientOptions.IdleTimeout"/>. It asks <paramref name="server"/>
/// for the base address before each connection, so a test can move it between servers.
/// </summary>
/// <param name="http">Shared by many clients; requests carry absolute addresses.</param>
/// <param name="server">The base address for the next connection.</param>
/// <param name="path">The stream's path, e.g. <c>/api/channels/news/stream</c>.</param>
/// <param name="onEvent">Sees every event as it is dispatched, on the client's own task.</param>
public sealed class EventSourceClient(
    HttpClient http, Func<Uri> server, string path, EventSourceClientOptions options, Action<EventSourceDelivery> onEvent)
{
    private int _connections;
    private int _failures;
    private TimeSpan _retry = options.InitialRetry;
    private string? _restartAfter;

    /// <summary>The id sent as <c>Last-Event-ID</c> on the next connection (null until an event carried one).</summary>
    public string? LastEventId { get; private set; }

    /// <summary>Streams opened (2xx <c>text/event-stream</c> answers).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Attempts that did not open a stream (refused, timed out, non-2xx).</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>The reconnection delay in force (the last <c>retry:</c>, bounded).</summary>
    public TimeSpan Retry => _retry;

    /// <summary>
    /// From <c>onEvent</c>: drop the current connection after this event and reconnect at once with
    /// <paramref name="lastEventId"/> (e.g. a client that started without an id and finds it started past the
    /// beginning it wants).
    /// </summary>
    public void Reconnect(string lastEventId) => _restartAfter = lastEventId;

    /// <summary>Called after each connection attempt with how it ended.</summary>
    public Action<EventSourceConnection>? OnConnectionEnded { get; init; }

    /// <summary>Connects, reads and reconnects until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var address = server();
            string? sentId = null;
            var items = 0;
            EventSourceOutcome outcome;
            string? error = null;
            try
            {
                sentId = LastEventId ?? (options.StartId is { } start ? await start(cancellationToken) : null);
                await using var stream = await SseStream.OpenAsync(http, new Uri(address, path).ToString(), sentId, recordRaw: false, cancellationToken);
                var number = Interlocked.Increment(ref _connections);
                (outcome, items, error) = await ReadAsync(stream, number, address);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _failures);
                outcome = EventSourceOutcome.Failed;
                error = $"{ex.GetType().Name}: {ex.Message}";
            }

            OnConnectionEnded?.Invoke(new EventSourceConnection(address, sentId, outcome, items, error));
            if (outcome == EventSourceOutcome.Restarted)
            {
                continue;
            }

            try
            {
                await Task.Delay(_retry, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<(EventSourceOutcome, int, string?)> ReadAsync(SseStream stream, int connection, Uri address)
    {
        var items = 0;
        try
        {
            while (true)
            {
                SseItem<string>? next;
                try
                {
                    next = await stream.NextOrEndAsync(options.IdleTimeout);
                }
                catch (TimeoutException)
                {
                    return (EventSourceOutcome.Stalled, items, $"no event for {options.IdleTimeout.TotalSeconds:0.#} s");
                }

                TakeRetry(stream.Parser);
                if (next is not { } item)
                {
                    return (EventSourceOutcome.Ended, items, null);
                }

                // EventSource keeps the last id across connections; an event without an id field keeps the previous one.
                if (!string.IsNullOrEmpty(stream.Parser.LastEventId))
                {
                    LastEventId = stream.Parser.LastEventId;
                }

                items++;
                onEvent(new EventSourceDelivery(item, connection, address));
                if (_restartAfter is { } restart)
                {
                    _restartAfter = null;
                    LastEventId = restart;
                    return (EventSourceOutcome.Restarted, items, $"restarted after {restart}");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or HttpIOException)
        {
            // A server killed mid-response: the body ends without its final chunk.
            TakeRetry(stream.Parser);
            return (EventSourceOutcome.Broken, items, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private void TakeRetry(SseParser<string> parser)
    {
        var retry = parser.ReconnectionInterval;
        if (retry > TimeSpan.Zero && retry != Timeout.InfiniteTimeSpan)
        {
            _retry = retry < options.MaxRetry ? retry : options.MaxRetry;
        }
    }
}
