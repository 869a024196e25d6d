using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Testing.BadInput;

/// <summary>
/// Sends a request byte for byte over a socket and reads the answer: the only way to send what HttpClient refuses
/// to (control characters, repeated or huge headers, a body shorter than its Content-Length, a request that stops
/// half way). HTTP/1.1, one request per connection.
/// </summary>
public static class RawHttpExchange
{
    /// <param name="head">The request line and headers, each line ending in CRLF, without the blank line.</param>
    /// <param name="body">Bytes sent after the blank line (already chunk-framed when the request says so).</param>
    /// <param name="stall">
    /// <see cref="RawStall.None"/>: send everything. <see cref="RawStall.Headers"/>: send the head without its blank
    /// line and wait. <see cref="RawStall.Body"/>: send the head and the body, then wait for the rest of a declared
    /// length. <see cref="RawStall.HalfClose"/>: send the head and body, then close the sending side.
    /// </param>
    /// <param name="streamingOk">A 2xx <c>text/event-stream</c> answer is read up to its headers only (it never ends).</param>
    public static async Task<RawHttpResponse> SendAsync(IPEndPoint server, string head, byte[] body, RawStall stall, TimeSpan timeout, bool streamingOk = true)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server, cancel.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);

        // Latin-1: every char of the head is sent as the one byte it stands for (NUL, CR, bytes above 0x7F).
        var headBytes = Encoding.Latin1.GetBytes(stall == RawStall.Headers ? head : head + "\r\n");
        try
        {
            await stream.WriteAsync(headBytes, cancel.Token);
            if (stall != RawStall.Headers)
            {
                await stream.WriteAsync(body, cancel.Token);
            }

            await stream.FlushAsync(cancel.Token);
            if (stall == RawStall.HalfClose)
            {
                socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything (431, 413): read what it said.
        }

        return await ReadResponseAsync(stream, streamingOk, cancel.Token);
    }

    private static async Task<RawHttpResponse> ReadResponseAsync(Stream stream, bool streamingOk, CancellationToken cancellationToken)
    {
        var reader = new ByteReader(stream);
        var statusLine = await reader.ReadLineAsync(cancellationToken);
        if (statusLine is null)
        {
            return RawHttpResponse.NoAnswer;
        }

        var status = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadLineAsync(cancellationToken) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var before) ? before + ", " + value : value;
        }

        var isStream = headers.TryGetValue("content-type", out var type) && type.StartsWith("text/event-stream", StringComparison.Ordinal);
        if (streamingOk && status is >= 200 and < 300 && isStream)
        {
            return new RawHttpResponse(status, headers, "");
        }

        byte[] body;
        if (headers.TryGetValue("content-length", out var length))
        {
            body = await reader.ReadExactlyAsync(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        }
        else if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = await reader.ReadChunkedAsync(cancellationToken);
        }
        else
        {
            body = status is 204 or 304 ? [] : await reader.ReadToEndAsync(cancellationToken);
        }

        return new RawHttpResponse(status, headers, Encoding.UTF8.GetString(body));
    }

    /// <summary>Buffered reads of lines and byte counts from the response stream.</summary>
    private sealed class ByteReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new List<byte>();
            while (true)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    return line.Count == 0 ? null : Encoding.Latin1.GetString(line.ToArray());
                }

                var b = _buffer[_start++];
                if (b == '\n')
                {
                    return Encoding.Latin1.GetString(line.ToArray()).TrimEnd('\r');
                }

                line.Add(b);
            }
        }

        public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
        {
            var result = new byte[count];
            var filled = 0;
            while (filled < count)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    return result[..filled];
                }

                var n = Math.Min(count - filled, _end - _start);
                Array.Copy(_buffer, _start, result, filled, n);
                _start += n;
                filled += n;
            }

            return result;
        }

        public async Task<byte[]> ReadChunkedAsync(CancellationToken cancellationToken)
        {
            var body = new List<byte>();
            while (await ReadLineAsync(cancellationToken) is { } sizeLine)
            {
                var size = Convert.ToInt32(sizeLine.Split(';')[0].Trim(), 16);
                if (size == 0)
                {
                    break;
                }

                body.AddRange(await ReadExactlyAsync(size, cancellationToken));
                await ReadLineAsync(cancellationToken);
            }

            return [.. body];
        }

        public async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken)
        {
            var body = new List<byte>(_buffer[_start.._end]);
            _start = _end;
            while (await FillAsync(cancellationToken))
            {
                body.AddRange(_buffer[_start.._end]);
                _start = _end;
            }

            return [.. body];
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            try
            {
                _start = 0;
                _end = await stream.ReadAsync(_buffer, cancellationToken);
                return _end > 0;
            }
            catch (IOException)
            {
                // A reset after the answer (the server closed without draining what we sent) ends the response.
                _end = 0;
                return false;
            }
        }
    }
}
