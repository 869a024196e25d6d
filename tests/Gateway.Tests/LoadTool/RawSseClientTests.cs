using System.Net;
using System.Net.ServerSentEvents;
using System.Net.Sockets;
using System.Text;
using Gateway.LoadTool.Peers;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.LoadTool;

/// <summary>
/// The peer bench's own HTTP/1.1 SSE client: the response head, the body framings (chunked split anywhere, a
/// Content-Length, until the close) as byte fixtures read through <see cref="SseParser"/>, then the whole client on
/// real loopback sockets against a hand-written server, as Nchan (close-delimited) and Kestrel (chunked) answer.
/// </summary>
public sealed class RawSseClientTests
{
    // Two events whose lines and UTF-8 sequences ("é" two bytes, "🙂" four) the chunking below cuts through.
    private const string Events = "id: 1\ndata: héllo 🙂 one\n\n: a comment\ndata: two\ndata: lines\n\n";

    private static readonly string[] Expected = ["héllo 🙂 one", "two\nlines"];

    [Fact]
    public void A_response_head_gives_the_status_and_how_the_body_is_framed()
    {
        var chunked = HttpResponseHead.TryParse("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\ntransfer-encoding:  chunked \r\n\r\nrest"u8, out var length);
        var sized = HttpResponseHead.TryParse("HTTP/1.1 404 Not Found\nContent-Length: 12\n\n"u8, out _);
        var closed = HttpResponseHead.TryParse("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n"u8, out _);

        Assert.Equal(new HttpResponseHead(200, Chunked: true, ContentLength: null), chunked);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\ntransfer-encoding:  chunked \r\n\r\n".Length, length);
        Assert.Equal(new HttpResponseHead(404, Chunked: false, ContentLength: 12), sized);
        Assert.Equal(new HttpResponseHead(200, Chunked: false, ContentLength: null), closed);
        Assert.Null(HttpResponseHead.TryParse("HTTP/1.1 200 OK\r\nContent-Type: text/ev"u8, out _));
        Assert.Throws<InvalidDataException>(() => HttpResponseHead.TryParse("SSH-2.0-OpenSSH\r\n\r\n"u8, out _));
        Assert.Throws<InvalidDataException>(() => HttpResponseHead.TryParse("HTTP/1.1 200 OK\r\nContent-Length: many\r\n\r\n"u8, out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task A_chunked_body_cut_anywhere_reads_back_as_the_same_events(int readSize)
    {
        var bytes = Encoding.UTF8.GetBytes(Events);
        // Chunks of 5, 9, 1, 13… bytes: boundaries inside "data:", inside "é" and "🙂", between CR and LF of nothing.
        var body = new MemoryStream();
        var sizes = new[] { 5, 9, 1, 13, 4, 2, 11 };
        for (int offset = 0, i = 0; offset < bytes.Length; i++)
        {
            var size = Math.Min(sizes[i % sizes.Length], bytes.Length - offset);
            body.Write(Encoding.ASCII.GetBytes(i == 1 ? $"{size:x};ext=1\r\n" : $"{size:X}\r\n"));
            body.Write(bytes, offset, size);
            body.Write("\r\n"u8);
            offset += size;
        }

        body.Write("0\r\nTrailer-Field: x\r\n\r\n"u8);
        var head = new HttpResponseHead(200, Chunked: true, ContentLength: null);

        Assert.Equal(Expected, await ParseAsync(new HttpBodyStream(new PieceStream(body.ToArray(), readSize), head, []), CancellationToken.None));
    }

    [Fact]
    public async Task A_length_or_the_close_ends_a_body_and_a_body_cut_short_fails()
    {
        var bytes = Encoding.UTF8.GetBytes(Events);
        var sized = new HttpBodyStream(new PieceStream([.. bytes[4..], .. "ignored"u8], 3), new HttpResponseHead(200, false, bytes.Length), bytes.AsSpan(0, 4));
        var closed = new HttpBodyStream(new PieceStream(bytes[10..], 5), new HttpResponseHead(200, false, null), bytes.AsSpan(0, 10));
        var cutChunk = new HttpBodyStream(new PieceStream("20\r\ndata: short\n\n"u8.ToArray(), 4), new HttpResponseHead(200, true, null), []);
        var cutLength = new HttpBodyStream(new PieceStream(bytes, 4), new HttpResponseHead(200, false, bytes.Length + 1), []);

        Assert.Equal(Expected, await ParseAsync(sized, CancellationToken.None));
        Assert.Equal(Expected, await ParseAsync(closed, CancellationToken.None));
        await Assert.ThrowsAsync<IOException>(() => ParseAsync(cutChunk, CancellationToken.None));
        await Assert.ThrowsAsync<IOException>(() => ParseAsync(cutLength, CancellationToken.None));
        Assert.Throws<InvalidDataException>(() => new HttpBodyStream(new PieceStream("zz\r\n"u8.ToArray(), 4), new HttpResponseHead(200, true, null), []).Read(new byte[16]));
    }

    [Fact]
    public async Task Over_a_socket_a_chunked_stream_reads_to_the_servers_end_and_the_request_asks_for_sse()
    {
        await using var server = await OneResponseServer.StartAsync(async (socket, request) =>
        {
            Assert.StartsWith("GET /sub/x?since=1 HTTP/1.1\r\n", request, StringComparison.Ordinal);
            Assert.Contains("\r\nAccept: text/event-stream\r\n", request, StringComparison.Ordinal);
            Assert.Contains("\r\nHost: 127.0.0.1:", request, StringComparison.Ordinal);
            var body = Encoding.UTF8.GetBytes(Events);
            // The head and the first chunk's size in one send, then pieces that cut lines, sizes and characters.
            await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n{9:x}\r"));
            foreach (var piece in new[] { "\n"u8.ToArray(), body[..9], "\r\n"u8.ToArray(), Encoding.ASCII.GetBytes($"{body.Length - 9:x}\r\n"), body[9..20], body[20..], "\r\n0\r\n\r\n"u8.ToArray() })
            {
                await socket.SendAsync(piece);
            }
        });
        using var poller = new SocketPoller("test poller");

        var stream = await SseConnection.OpenAsync(new Uri($"http://127.0.0.1:{server.Port}/sub/x?since=1"), poller, CancellationToken.None);

        Assert.Equal(Expected, await ParseAsync(stream, CancellationToken.None).WaitAsync(Waits.Item));
    }

    [Fact]
    public async Task Over_a_socket_a_stream_framed_by_the_close_ends_when_the_server_closes_as_nchan_does()
    {
        await using var server = await OneResponseServer.StartAsync(async (socket, _) =>
        {
            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nConnection: keep-alive\r\n\r\n: hi\n\n"u8.ToArray());
            var body = Encoding.UTF8.GetBytes(Events);
            await socket.SendAsync(body[..14]); // inside "é"
            await socket.SendAsync(body[14..]);
        });
        using var poller = new SocketPoller("test poller");

        var stream = await SseConnection.OpenAsync(new Uri($"http://127.0.0.1:{server.Port}/sub/x"), poller, CancellationToken.None);

        Assert.Equal(Expected, await ParseAsync(stream, CancellationToken.None).WaitAsync(Waits.Item));
    }

    [Fact]
    public async Task Another_status_is_refused_and_disposing_a_stream_ends_its_waiting_read()
    {
        await using var refusing = await OneResponseServer.StartAsync((socket, _) =>
            socket.SendAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"u8.ToArray()));
        var held = new TaskCompletionSource();
        await using var silent = await OneResponseServer.StartAsync(async (socket, _) =>
        {
            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"u8.ToArray());
            await held.Task.WaitAsync(Waits.Item); // nothing more until the client has gone
        });
        using var poller = new SocketPoller("test poller");

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => SseConnection.OpenAsync(new Uri($"http://127.0.0.1:{refusing.Port}/sub/x"), poller, CancellationToken.None));
        var stream = await SseConnection.OpenAsync(new Uri($"http://127.0.0.1:{silent.Port}/sub/x"), poller, CancellationToken.None);
        var read = stream.ReadAsync(new byte[64]).AsTask();
        await stream.DisposeAsync();

        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => read.WaitAsync(Waits.Item));
        held.SetResult();
    }

    private static async Task<List<string>> ParseAsync(Stream body, CancellationToken cancellationToken)
    {
        var events = new List<string>();
        await using (body)
        {
            await foreach (var item in SseParser.Create(body, static (_, data) => Encoding.UTF8.GetString(data)).EnumerateAsync(cancellationToken))
            {
                events.Add(item.Data);
            }
        }

        return events;
    }

    /// <summary>Hands its bytes out at most <paramref name="pieceSize"/> per read, as a socket may.</summary>
    private sealed class PieceStream(byte[] bytes, int pieceSize) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => bytes.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(Span<byte> buffer)
        {
            var count = Math.Min(Math.Min(buffer.Length, pieceSize), bytes.Length - _position);
            bytes.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A loopback listener that accepts one connection, reads its request head, answers with <c>respond</c> and closes.</summary>
    private sealed class OneResponseServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task _serving;

        private OneResponseServer(TcpListener listener, Func<Socket, string, Task> respond)
        {
            _listener = listener;
            _serving = ServeAsync(respond);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static Task<OneResponseServer> StartAsync(Func<Socket, string, Task> respond)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return Task.FromResult(new OneResponseServer(listener, respond));
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _serving.WaitAsync(Waits.Item); // surfaces the respond callback's assertion failures
        }

        private async Task ServeAsync(Func<Socket, string, Task> respond)
        {
            using var socket = await _listener.AcceptSocketAsync().WaitAsync(Waits.Item);
            var request = new StringBuilder();
            var buffer = new byte[1024];
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await socket.ReceiveAsync(buffer);
                request.Append(Encoding.ASCII.GetString(buffer, 0, read > 0 ? read : throw new IOException("The client closed before its request.")));
            }

            await respond(socket, request.ToString());
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
                // The client went first.
            }
        }
    }
}
