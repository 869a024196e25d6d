using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using Gateway.Client.Publishing;

namespace Gateway.Client.Streams;

/// <summary>
/// A gateway stream as an <see cref="IAsyncEnumerable{T}"/> that behaves like a browser's <c>EventSource</c>: after a
/// clean end (the stream's deadline, a shutdown) it waits the server's latest <c>retry:</c> and reconnects with the last
/// id as <c>Last-Event-ID</c>, so the events arrive once and in order across connections. Unlike EventSource it also
/// comes back after refused connections and 5xx/429 answers (backing off, honouring <c>Retry-After</c>), gives up on a
/// connection that goes silent, and throws for an answer no retry can fix (400, 401, 403, 404). Enumerate it once at a
/// time; cancel the enumeration to stop.
/// </summary>
public sealed class GatewayStream : IAsyncEnumerable<GatewayEvent>
{
    private readonly HttpClient _http;
    private readonly string _path;
    private readonly IReadOnlyList<string> _channels;
    private readonly bool _several;
    private readonly GatewayStreamOptions _options;
    private int _connections;

    internal GatewayStream(HttpClient http, string path, IReadOnlyList<string> channels, bool several, string? lastEventId, GatewayStreamOptions options)
    {
        _http = http;
        _path = path;
        _channels = channels;
        _several = several;
        _options = options;
        LastEventId = lastEventId;
        RetryInterval = options.InitialRetry;
    }

    /// <summary>The id the next connection resumes after: the last id received, or the one the stream was opened with.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>The wait before reconnecting after a clean end: the server's latest <c>retry:</c> (bounded by <see cref="GatewayStreamOptions.MaxRetry"/>).</summary>
    public TimeSpan RetryInterval { get; private set; }

    /// <summary>Streams opened so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <inheritdoc/>
    public IAsyncEnumerator<GatewayEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    private async IAsyncEnumerable<GatewayEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var time = _options.TimeProvider;
        var failures = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Exception? error = null;
            TimeSpan? retryAfter = null;
            using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
            using var connection = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
            HttpResponseMessage? response = null;
            try
            {
                response = await OpenAsync(idle, connection.Token);
            }
            catch (GatewayRequestException refused) when (refused.IsTransient)
            {
                error = refused;
                retryAfter = refused.RetryAfter;
            }
            catch (Exception ex) when (IsBroken(ex, cancellationToken))
            {
                error = idle.IsCancellationRequested ? new TimeoutException("The gateway did not answer within the idle timeout.", ex) : ex;
            }

            if (response is not null)
            {
                failures = 0;
                using (response)
                {
                    var body = new ReadActivityStream(await response.Content.ReadAsStreamAsync(connection.Token), () => Restart(idle));
                    await using (body)
                    {
                        var parser = SseParser.Create(body, static (_, data) => Encoding.UTF8.GetString(data));
                        await using var items = parser.EnumerateAsync(connection.Token).GetAsyncEnumerator(connection.Token);
                        while (true)
                        {
                            try
                            {
                                if (!await items.MoveNextAsync())
                                {
                                    break;
                                }
                            }
                            catch (Exception ex) when (IsBroken(ex, cancellationToken))
                            {
                                error = idle.IsCancellationRequested ? new TimeoutException($"The stream sent nothing for {_options.IdleTimeout}.", ex) : ex;
                                break;
                            }
                            finally
                            {
                                TakeRetry(parser);
                            }

                            // As EventSource: the last id persists across events and connections; an event without one keeps it.
                            if (!string.IsNullOrEmpty(parser.LastEventId))
                            {
                                LastEventId = parser.LastEventId;
                            }

                            yield return ToEvent(items.Current, parser.LastEventId);
                        }
                    }
                }
            }

            if (error is not null)
            {
                failures++;
            }

            var delay = DelayAfter(failures, retryAfter);
            _options.Reconnecting?.Invoke(new GatewayStreamReconnect(delay, failures, error, LastEventId));
            await Task.Delay(delay, time, cancellationToken);
        }
    }

    private async Task<HttpResponseMessage> OpenAsync(CancellationTokenSource idle, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        var sent = LastEventId;
        if (sent is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", sent);
        }

        // The idle timeout also bounds the wait for the response headers.
        Restart(idle);
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            if (!GatewayResponses.IsSuccess(response.StatusCode))
            {
                throw await GatewayResponses.RefusalAsync(response, cancellationToken);
            }

            if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentType?.MediaType != "text/event-stream")
            {
                throw new GatewayRequestException(response.StatusCode, $"the answer is not an event stream ({response.Content.Headers.ContentType?.MediaType ?? "no content type"})", null);
            }
        }
        catch
        {
            response.Dispose();
            throw;
        }

        var startsAfter = response.Headers.TryGetValues("Last-Event-ID", out var values) ? values.FirstOrDefault() : null;
        _options.Connected?.Invoke(new GatewayStreamConnected(Interlocked.Increment(ref _connections), sent, startsAfter));
        return response;
    }

    private void Restart(CancellationTokenSource idle)
    {
        if (_options.IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            idle.CancelAfter(_options.IdleTimeout);
        }
    }

    /// <summary>A clean end waits the retry; failures in a row double it up to the cap; a Retry-After is a floor.</summary>
    private TimeSpan DelayAfter(int failures, TimeSpan? retryAfter)
    {
        var delay = RetryInterval;
        if (failures > 1)
        {
            var doubled = RetryInterval.Ticks * Math.Pow(2, Math.Min(failures - 1, 30));
            delay = TimeSpan.FromTicks((long)Math.Min(doubled, Math.Max(_options.MaxFailureBackoff.Ticks, RetryInterval.Ticks)));
        }

        if (retryAfter is { } floor && floor > delay)
        {
            delay = floor < _options.MaxRetry ? floor : _options.MaxRetry;
        }

        return delay;
    }

    private void TakeRetry(SseParser<string> parser)
    {
        var retry = parser.ReconnectionInterval;
        if (retry >= TimeSpan.Zero && retry != Timeout.InfiniteTimeSpan)
        {
            RetryInterval = retry < _options.MaxRetry ? retry : _options.MaxRetry;
        }
    }

    private GatewayEvent ToEvent(SseItem<string> item, string? id)
    {
        // A reset on several channels names the channel it concerns (none: all of them); one channel's reset is about that channel.
        var reset = item.EventType == GatewayReset.ResetEventName ? ResetData.Parse(item.Data, _several ? null : _channels[0]) : null;
        return new GatewayEvent(string.IsNullOrEmpty(id) ? null : id, item.EventType, item.Data, reset is null ? ChannelOf(id) : reset.Channel, reset);
    }

    /// <summary>One channel: that channel. Several: the id's first field, <c>{index}.{list}.{…}</c>, is the channel's place in the list.</summary>
    private string? ChannelOf(string? id)
    {
        if (!_several)
        {
            return _channels[0];
        }

        var dot = id?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        return dot > 0 && int.TryParse(id.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < _channels.Count
            ? _channels[index]
            : null;
    }

    /// <summary>A connection that failed or broke (retry), as opposed to the caller cancelling or the gateway refusing for good.</summary>
    private static bool IsBroken(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && ex is not GatewayRequestException && ex is IOException or HttpRequestException or OperationCanceledException;
}
