using System.Diagnostics;

namespace Gateway.Testing.Http;

/// <summary>
/// A client that reads response bodies at a bounded rate, like a steady but slow reader, and that can be held still
/// (<see cref="Hold"/>): a reader that stops. Put it in front of the real handler: <c>new HttpClient(new
/// ThrottledReadHandler(rate) { InnerHandler = new SocketsHttpHandler() })</c>.
/// </summary>
public sealed class ThrottledReadHandler(long bytesPerSecond) : DelegatingHandler
{
    private volatile TaskCompletionSource _open = Opened();

    /// <summary>Stops every read until <see cref="Release"/>.</summary>
    public void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _open.TrySetResult();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var throttled = new StreamContent(new ThrottledStream(body, this, bytesPerSecond));
        foreach (var header in response.Content.Headers)
        {
            throttled.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = throttled;
        return response;
    }

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    /// <summary>Reads at most a tenth of a second's worth at a time and waits so the average stays at the rate.</summary>
    private sealed class ThrottledStream(Stream inner, ThrottledReadHandler handler, long bytesPerSecond) : ReadOnlyPassThroughStream(inner)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await handler._open.Task.WaitAsync(cancellationToken);
            var ahead = TimeSpan.FromSeconds((double)_read / bytesPerSecond) - _clock.Elapsed;
            if (ahead > TimeSpan.Zero)
            {
                await Task.Delay(ahead, cancellationToken);
            }

            var chunk = (int)Math.Max(1, Math.Min(buffer.Length, bytesPerSecond / 10));
            var n = await Inner.ReadAsync(buffer[..chunk], cancellationToken);
            _read += n;
            return n;
        }
    }
}
