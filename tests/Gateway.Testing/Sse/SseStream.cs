using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;

namespace Gateway.Testing.Sse;

/// <summary>
/// One open SSE response, read with <see cref="SseParser"/> item by item, every read bounded by a timeout. It also
/// keeps the raw bytes (unless told not to) with a frame view over them, for what a parser hides: the exact framing,
/// <c>retry:</c> frames and comments. Both views read the same body; items the frame view reads past are kept for
/// the item view.
/// </summary>
public sealed class SseStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly SseFrameLog? _raw;
    private readonly IAsyncEnumerator<SseItem<string>> _items;
    private readonly Queue<SseItem<string>> _ready = new();
    private readonly TaskCompletionSource _firstBytes = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<bool>? _pending;
    private int _nextFrame;

    private SseStream(HttpResponseMessage response, Stream body, bool recordRaw, CancellationToken cancellationToken)
    {
        _response = response;
        _raw = recordRaw ? new SseFrameLog() : null;
        Parser = SseParser.Create(new ObservedStream(body, Observe));
        _items = Parser.EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    public HttpResponseMessage Response => _response;

    public SseParser<string> Parser { get; }

    /// <summary>Everything read from the body so far, as UTF-8 text (empty when not recorded).</summary>
    public string RawText => _raw?.Text ?? "";

    /// <summary>Everything read from the body so far (empty when not recorded).</summary>
    public byte[] RawBytes => _raw?.Bytes ?? [];

    /// <summary>Every complete frame read so far (empty when not recorded).</summary>
    public IReadOnlyList<SseFrame> Frames => _raw?.Frames ?? [];

    /// <summary>True once the server has completed the response and every item has been read.</summary>
    public bool Ended { get; private set; }

    /// <summary>Completes when the first bytes of the body arrive (the gateway flushes its opening at once).</summary>
    public Task FirstBytes => _firstBytes.Task;

    /// <param name="recordRaw">False for streams that carry many megabytes, so the copy does not distort memory figures.</param>
    /// <param name="cancellationToken">Ends the reads (opening included) when cancelled.</param>
    public static async Task<SseStream> OpenAsync(
        HttpClient client, string path, string? lastEventId = null, bool recordRaw = true, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Waits.Request);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        return await FromResponseAsync(response, recordRaw, cancellationToken);
    }

    /// <summary>
    /// Reads a response the test sent itself (e.g. to check its headers first). It must be a 2xx
    /// <c>text/event-stream</c>; the stream owns it from here, and disposes it on failure too.
    /// </summary>
    public static async Task<SseStream> FromResponseAsync(HttpResponseMessage response, bool recordRaw = true, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Waits.Request);
        try
        {
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (!response.IsSuccessStatusCode || mediaType != "text/event-stream")
            {
                var detail = await response.Content.ReadAsStringAsync(timeout.Token);
                throw new InvalidOperationException(
                    $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode} {mediaType}, not an event stream: {detail}");
            }

            var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            return new SseStream(response, body, recordRaw, cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>The next dispatched item, or null when the response has ended.</summary>
    public async Task<SseItem<string>?> NextOrEndAsync(TimeSpan? timeout = null)
    {
        if (_ready.TryDequeue(out var ready))
        {
            return ready;
        }

        if (Ended)
        {
            return null;
        }

        var moved = await Pump().WaitAsync(timeout ?? Waits.Item);
        _pending = null;
        if (!moved)
        {
            Ended = true;
            return null;
        }

        return _items.Current;
    }

    public async Task<SseItem<string>> NextAsync(TimeSpan? timeout = null) =>
        await NextOrEndAsync(timeout) ?? throw new InvalidOperationException($"The stream ended before the next item. {EndingText()}");

    /// <summary>How the body ended (its last frames: a clean end writes a <c>retry:</c> of its reason), for a failure's message.</summary>
    private string EndingText()
    {
        const int Shown = 400;
        var raw = RawText;
        return raw.Length == 0 ? "(body not recorded, or empty)"
            : $"Its last {Math.Min(raw.Length, Shown)} of {raw.Length} characters: {System.Text.Json.JsonSerializer.Serialize(raw[Math.Max(0, raw.Length - Shown)..])}";
    }

    /// <summary>The next <paramref name="count"/> items, each read bounded by <paramref name="perItem"/>.</summary>
    public async Task<List<SseItem<string>>> NextAsync(int count, TimeSpan? perItem = null)
    {
        var items = new List<SseItem<string>>(count);
        while (items.Count < count)
        {
            items.Add(await NextAsync(perItem));
        }

        return items;
    }

    /// <summary>Reads items until one satisfies <paramref name="isLast"/> (included in the result).</summary>
    public async Task<List<SseItem<string>>> ReadUntilAsync(Func<SseItem<string>, bool> isLast, TimeSpan? perItem = null)
    {
        var items = new List<SseItem<string>>();
        while (true)
        {
            var item = await NextAsync(perItem);
            items.Add(item);
            if (isLast(item))
            {
                return items;
            }
        }
    }

    /// <summary>Reads the remaining items until the server completes the response.</summary>
    public async Task<List<SseItem<string>>> ReadToEndAsync(TimeSpan? perItem = null)
    {
        var items = new List<SseItem<string>>();
        while (await NextOrEndAsync(perItem) is { } item)
        {
            items.Add(item);
        }

        return items;
    }

    /// <summary>
    /// The next raw frame (comments and lone <c>retry:</c> frames included), or null when the response has ended.
    /// Fails if the response ends inside a frame. Needs the raw copy (<c>recordRaw</c>).
    /// </summary>
    public async Task<SseFrame?> NextFrameAsync(TimeSpan? timeout = null)
    {
        var raw = _raw ?? throw new InvalidOperationException("This stream keeps no raw copy (recordRaw: false): it has no frames.");
        var bound = timeout ?? Waits.Item;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            // Taken before looking, so bytes that arrive in between still wake the wait below.
            var appended = raw.Appended;
            if (raw.TryGetFrame(_nextFrame, out var frame))
            {
                _nextFrame++;
                return frame;
            }

            if (Ended)
            {
                var unfinished = raw.Unfinished;
                return unfinished.Length == 0 ? null : throw new InvalidOperationException($"The stream ended inside a frame: {unfinished}");
            }

            // The parser reads on (it only returns at an event); what it reads lands in the raw copy first.
            var pending = Pump();
            var remaining = bound - waited.Elapsed;
            await Task.WhenAny(pending, appended).WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            if (pending.IsCompleted)
            {
                var moved = await pending;
                _pending = null;
                if (moved)
                {
                    _ready.Enqueue(_items.Current);
                }
                else
                {
                    Ended = true;
                }
            }
        }
    }

    /// <summary>Reads frames until one satisfies <paramref name="isLast"/> (included in the result); fails if the response ends first.</summary>
    public async Task<List<SseFrame>> ReadFramesUntilAsync(Func<SseFrame, bool> isLast, TimeSpan? perFrame = null)
    {
        var frames = new List<SseFrame>();
        while (await NextFrameAsync(perFrame) is { } frame)
        {
            frames.Add(frame);
            if (isLast(frame))
            {
                return frames;
            }
        }

        throw new InvalidOperationException($"The stream ended before the expected frame; it sent: {string.Join(" / ", frames)}");
    }

    /// <summary>Reads the remaining frames until the server completes the response.</summary>
    public async Task<List<SseFrame>> ReadFramesToEndAsync(TimeSpan? perFrame = null)
    {
        var frames = new List<SseFrame>();
        while (await NextFrameAsync(perFrame) is { } frame)
        {
            frames.Add(frame);
        }

        return frames;
    }

    public async ValueTask DisposeAsync()
    {
        // Disposing the response aborts a read in flight; let it fail before disposing the parser's enumerator.
        _response.Dispose();
        if (_pending is { } pending)
        {
            try
            {
                await pending.WaitAsync(Waits.Item);
            }
            catch (Exception)
            {
                // The read was aborted by the dispose above: expected.
            }
        }

        try
        {
            await _items.DisposeAsync();
        }
        catch (Exception) when (_pending is not null)
        {
            // A read that never completed leaves the enumerator busy; the response is gone either way.
        }
    }

    private Task<bool> Pump() => _pending ??= _items.MoveNextAsync().AsTask();

    private void Observe(ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length > 0)
        {
            _firstBytes.TrySetResult();
        }

        _raw?.Append(chunk);
    }
}
