using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// The tool's own lean HTTP/1.1 GET for an SSE stream (<c>http://</c> only): one connection per stream, the request
/// written once, the response head read, then the body (<see cref="HttpBodyStream"/>: chunked, a length, or until the
/// close) over a <see cref="PolledSocketStream"/>. Nothing else of HTTP (redirects, TLS, keep-alive) is needed by a
/// load tool that holds one long response per connection, and skipping HttpClient's layers is most of why it is cheap.
/// </summary>
internal static class SseConnection
{
    /// <summary>How long the connection and the response head may take.</summary>
    public static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Connects, sends the GET and returns the response body once a 200 head has arrived; any other status is an
    /// <see cref="HttpRequestException"/>. The connect is blocking (it leaves the socket to the poller alone); on
    /// loopback it returns at once, and the callers bound how many run together.
    /// </summary>
    public static async Task<Stream> OpenAsync(Uri url, SocketPoller poller, CancellationToken cancellationToken)
    {
        if (url.Scheme != Uri.UriSchemeHttp)
        {
            throw new NotSupportedException($"The raw client speaks plain http only, not '{url.Scheme}' (use --Client http).");
        }

        var addresses = await Dns.GetHostAddressesAsync(url.IdnHost, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        PolledSocketStream connection;
        try
        {
            socket.SendTimeout = (int)HeadTimeout.TotalMilliseconds;
            socket.Connect(addresses, url.Port);
            socket.Send(Request(url));
            connection = new PolledSocketStream(socket, poller);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(HeadTimeout);
            // Reads are not cancellable one by one: a head that does not come in time closes the connection.
            await using var closeOnTimeout = timeout.Token.Register(connection.Dispose);
            var buffer = new byte[1024];
            var filled = 0;
            while (true)
            {
                if (HttpResponseHead.TryParse(buffer.AsSpan(0, filled), out var length) is { } head)
                {
                    if (head.StatusCode != 200)
                    {
                        throw new HttpRequestException($"GET {url} answered {head.StatusCode}.");
                    }

                    return new HttpBodyStream(connection, head, buffer.AsSpan(length, filled - length));
                }

                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var read = await connection.ReadAsync(buffer.AsMemory(filled), CancellationToken.None);
                // The read completed on the poller's thread: leave it, since the caller's code (opening the next
                // stream, a worker then reading its stdin) must never run, or block, there.
                await Task.Yield();
                filled += read > 0 ? read : throw new HttpRequestException($"GET {url}: the server closed the connection before a response head.");
            }
        }
        catch (ObjectDisposedException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"GET {url}: no response head within {HeadTimeout.TotalSeconds:0} s.");
        }
        catch (ObjectDisposedException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static byte[] Request(Uri url) => Encoding.ASCII.GetBytes(
        $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\nUser-Agent: Gateway.LoadTool\r\n\r\n");
}
