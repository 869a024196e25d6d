using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// One open SSE response read with <see cref="SseParser"/>, item by item, each read bounded by a timeout.
/// Keeps the raw bytes it has read so a test can also check the exact framing (e.g. the final <c>retry:</c>).
/// </summary>
public sealed class SseStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly RecordingStream _body;
    private readonly IAsyncEnumerator<SseItem<string>> _items;
    private Task<bool>? _pending;

    private SseStream(HttpResponseMessage response, RecordingStream body)
    {
        _response = response;
        _body = body;
        Parser = SseParser.Create(body);
        _items = Parser.EnumerateAsync().GetAsyncEnumerator();
    }

    public HttpResponseMessage Response => _response;

    public SseParser<string> Parser { get; }

    /// <summary>Everything read from the body so far, as UTF-8 text (empty when not recorded).</summary>
    public string RawText => _body.Text;

    public bool Ended { get; private set; }

    /// <param name="recordRaw">False for streams that carry many megabytes, so the copy does not distort memory figures.</param>
    public static async Task<SseStream> OpenAsync(HttpClient client, string path, string? lastEventId = null, bool recordRaw = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        using var timeout = new CancellationTokenSource(Waits.Request);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(timeout.Token);
            response.Dispose();
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {detail}");
        }

        var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        return new SseStream(response, new RecordingStream(body, recordRaw));
    }

    /// <summary>The next dispatched item, or null when the response has ended.</summary>
    public async Task<SseItem<string>?> NextOrEndAsync(TimeSpan? timeout = null)
    {
        if (Ended)
        {
            return null;
        }

        _pending ??= _items.MoveNextAsync().AsTask();
        var moved = await _pending.WaitAsync(timeout ?? Waits.Item);
        _pending = null;
        if (!moved)
        {
            Ended = true;
            return null;
        }

        return _items.Current;
    }

    public async Task<SseItem<string>> NextAsync(TimeSpan? timeout = null) =>
        await NextOrEndAsync(timeout) ?? throw new InvalidOperationException("The stream ended before the next item.");

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

    /// <summary>A read-only pass-through that keeps a copy of the bytes read (when <paramref name="enabled"/>).</summary>
    private sealed class RecordingStream(Stream inner, bool enabled) : Stream
    {
        private readonly MemoryStream _copy = new();
        private readonly Lock _gate = new();

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return Encoding.UTF8.GetString(_copy.GetBuffer(), 0, (int)_copy.Length);
                }
            }
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Record(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            return Record(buffer.Span[..n]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Record(ReadOnlySpan<byte> bytes)
        {
            if (!enabled)
            {
                return bytes.Length;
            }

            lock (_gate)
            {
                _copy.Write(bytes);
            }

            return bytes.Length;
        }
    }
}
