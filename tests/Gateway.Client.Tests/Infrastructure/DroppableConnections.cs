namespace Gateway.Client.Tests.Infrastructure;

/// <summary>
/// An <see cref="HttpMessageHandler"/> whose open responses a test can break, as a network that drops the connection
/// would: the client's next read fails with an <see cref="IOException"/> and the response (its TCP connection) is disposed.
/// </summary>
public sealed class DroppableConnections : DelegatingHandler
{
    private readonly List<DroppableStream> _open = [];

    public DroppableConnections()
        : base(new SocketsHttpHandler())
    {
    }

    /// <summary>Breaks every response that is open now.</summary>
    public void DropAll()
    {
        DroppableStream[] open;
        lock (_open)
        {
            open = [.. _open];
            _open.Clear();
        }

        foreach (var stream in open)
        {
            stream.Drop();
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            return response;
        }

        var body = new DroppableStream(await response.Content.ReadAsStreamAsync(cancellationToken));
        lock (_open)
        {
            _open.Add(body);
        }

        var content = new StreamContent(body);
        foreach (var header in response.Content.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = content;
        return response;
    }

    private sealed class DroppableStream(Stream inner) : Stream
    {
        private readonly CancellationTokenSource _dropped = new();
        private int _disposed;

        public void Drop()
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                _dropped.Cancel();
                inner.Dispose();
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _dropped.Token);
            try
            {
                return await inner.ReadAsync(buffer, linked.Token);
            }
            catch (Exception ex) when (_dropped.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException("The test dropped the connection.", ex);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
