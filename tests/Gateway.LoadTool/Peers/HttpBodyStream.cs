using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// One HTTP/1.1 response body read from the connection's bytes (<paramref name="source"/>, after the head): chunked
/// transfer coding decoded, a Content-Length honoured, or else everything until the server closes. Read-only, one
/// reader at a time. A body cut short (inside a chunk, before its length) fails with <see cref="IOException"/>.
/// </summary>
internal sealed class HttpBodyStream : ReadOnlyStream
{
    private readonly Stream _source;
    private readonly byte[] _buffer;
    private readonly Framing _framing;
    private int _start;
    private int _end;
    private long _remaining;
    private ChunkState _state = ChunkState.Size;

    public HttpBodyStream(Stream source, HttpResponseHead head, ReadOnlySpan<byte> leftover, int bufferSize = 4096)
    {
        _source = source;
        _buffer = new byte[Math.Max(bufferSize, leftover.Length)];
        leftover.CopyTo(_buffer);
        _end = leftover.Length;
        (_framing, _remaining) = head switch
        {
            { Chunked: true } => (Framing.Chunked, 0L),
            { ContentLength: { } length } => (Framing.Length, length),
            _ => (Framing.Close, 0L),
        };
    }

    private enum Framing
    {
        Chunked,
        Length,
        Close,
    }

    private enum ChunkState
    {
        Size,
        Data,
        DataEnd,
        Trailers,
        Done,
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Most reads find their bytes already here (a whole event arrives in one receive): no state machine then.
        var read = Decode(buffer.Span, out var needMore);
        return read > 0 || !needMore || buffer.IsEmpty ? new ValueTask<int>(read) : ReadMoreAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            var read = Decode(buffer, out var needMore);
            if (read > 0 || !needMore || buffer.IsEmpty)
            {
                return read;
            }

            var received = _source.Read(FreeSpace().Span);
            if (!Received(received))
            {
                return 0;
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.Dispose();
        }

        base.Dispose(disposing);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadMoreAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var received = await _source.ReadAsync(FreeSpace(), cancellationToken).ConfigureAwait(false);
            if (!Received(received))
            {
                return 0;
            }

            var read = Decode(buffer.Span, out var needMore);
            if (read > 0 || !needMore)
            {
                return read;
            }
        }
    }

    // Room after the unread bytes (moved to the front first); a control line that fills the whole buffer is refused.
    private Memory<byte> FreeSpace()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        return _end < _buffer.Length ? _buffer.AsMemory(_end) : throw new InvalidDataException($"A chunk-size or trailer line longer than {_buffer.Length} bytes.");
    }

    // False at the end of the source: the end of the body when it is framed by the close, else a body cut short.
    private bool Received(int count)
    {
        if (count > 0)
        {
            _end += count;
            return true;
        }

        if (_framing == Framing.Close || (_framing == Framing.Chunked && _state == ChunkState.Done) || (_framing == Framing.Length && _remaining == 0))
        {
            return false;
        }

        throw new IOException(_framing == Framing.Chunked ? "The server closed the connection inside a chunked body." : $"The server closed the connection {_remaining} bytes before the body's Content-Length.");
    }

    /// <summary>Copies body bytes from the buffer; 0 with <paramref name="needMore"/> false is the end of the body.</summary>
    private int Decode(Span<byte> destination, out bool needMore)
    {
        needMore = true;
        switch (_framing)
        {
            case Framing.Close:
                return Copy(destination, int.MaxValue);
            case Framing.Length:
                needMore = _remaining > 0;
                var copied = Copy(destination, _remaining);
                _remaining -= copied;
                return copied;
        }

        while (true)
        {
            switch (_state)
            {
                case ChunkState.Data:
                    var copied = Copy(destination, _remaining);
                    _remaining -= copied;
                    if (_remaining == 0)
                    {
                        _state = ChunkState.DataEnd;
                    }

                    return copied; // 0: the chunk's next bytes have not arrived
                case ChunkState.Done:
                    needMore = false;
                    return 0;
                default:
                    if (!TakeLine(out var line))
                    {
                        return 0;
                    }

                    _state = _state switch
                    {
                        ChunkState.Size => StartChunk(line),
                        ChunkState.DataEnd => line.IsEmpty ? ChunkState.Size : throw new InvalidDataException("No CRLF after a chunk's data."),
                        _ => line.IsEmpty ? ChunkState.Done : ChunkState.Trailers, // a trailer field is skipped
                    };
                    break;
            }
        }
    }

    // "1a;ext=1": hex digits, then anything after ';' or whitespace is an extension this client ignores.
    private ChunkState StartChunk(ReadOnlySpan<byte> line)
    {
        var end = line.IndexOfAny(";\t "u8);
        var digits = end < 0 ? line : line[..end];
        if (digits.IsEmpty || digits.Length > 15 || !Utf8Parser.TryParse(digits, out long size, out var used, 'X') || used != digits.Length)
        {
            throw new InvalidDataException("A chunk size that is not hexadecimal.");
        }

        _remaining = size;
        return size == 0 ? ChunkState.Trailers : ChunkState.Data;
    }

    // One line of the buffer without its LF (or CRLF), or false while it has not all arrived.
    private bool TakeLine(out ReadOnlySpan<byte> line)
    {
        var unread = _buffer.AsSpan(_start, _end - _start);
        var newline = unread.IndexOf((byte)'\n');
        if (newline < 0)
        {
            line = default;
            return false;
        }

        line = unread[..newline];
        if (line is [.., (byte)'\r'])
        {
            line = line[..^1];
        }

        _start += newline + 1;
        return true;
    }

    private int Copy(Span<byte> destination, long limit)
    {
        var count = (int)Math.Min(Math.Min(limit, destination.Length), _end - _start);
        _buffer.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        return count;
    }
}
