using System.Buffers.Text;
using System.Text;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// What the tool's own HTTP/1.1 client (<see cref="SseConnection"/>) needs of a response head: the status and how the
/// body is framed (chunked, a length, or until the server closes). Lines may end in CRLF or a bare LF (RFC 9112 lets a
/// recipient accept both).
/// </summary>
internal sealed record HttpResponseHead(int StatusCode, bool Chunked, long? ContentLength)
{
    /// <summary>A head longer than this is refused (no SSE server sends one).</summary>
    public const int MaxBytes = 16 * 1024;

    /// <summary>
    /// The head at the start of <paramref name="buffer"/>, with its <paramref name="length"/> in bytes (the blank line
    /// included), or null while that blank line has not arrived. Throws <see cref="InvalidDataException"/> for a head
    /// that is not HTTP/1.x or is too long.
    /// </summary>
    public static HttpResponseHead? TryParse(ReadOnlySpan<byte> buffer, out int length)
    {
        length = 0;
        var status = -1;
        var chunked = false;
        long? contentLength = null;
        var offset = 0;
        while (buffer[offset..].IndexOf((byte)'\n') is var newline and >= 0)
        {
            var line = buffer.Slice(offset, newline);
            offset += newline + 1;
            if (line is [.., (byte)'\r'])
            {
                line = line[..^1];
            }

            if (status < 0)
            {
                status = StatusOf(line);
            }
            else if (line.IsEmpty)
            {
                length = offset;
                return new HttpResponseHead(status, chunked, contentLength);
            }
            else if (line.IndexOf((byte)':') is var colon and > 0)
            {
                var name = line[..colon];
                var value = line[(colon + 1)..].Trim(" \t"u8);
                if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
                {
                    // The last coding frames the body ("gzip, chunked" is still chunked at this layer).
                    var last = value[(value.LastIndexOf((byte)',') + 1)..].Trim(" \t"u8);
                    chunked = Ascii.EqualsIgnoreCase(last, "chunked"u8);
                }
                else if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
                {
                    contentLength = Utf8Parser.TryParse(value, out long parsed, out var used) && used == value.Length && parsed >= 0
                        ? parsed
                        : throw new InvalidDataException($"Content-Length '{Encoding.ASCII.GetString(value)}' is not a length.");
                }
            }
            else
            {
                throw new InvalidDataException($"'{Encoding.ASCII.GetString(line)}' is not a header line.");
            }
        }

        return buffer.Length > MaxBytes ? throw new InvalidDataException($"No end of the response head in its first {MaxBytes} bytes.") : null;
    }

    // "HTTP/1.1 200 OK": the version, a space, three digits.
    private static int StatusOf(ReadOnlySpan<byte> line)
    {
        if (line.Length >= 12 && line.StartsWith("HTTP/1."u8) && line[8] == (byte)' ' && Utf8Parser.TryParse(line.Slice(9, 3), out int status, out var used) && used == 3)
        {
            return status;
        }

        throw new InvalidDataException($"'{Encoding.ASCII.GetString(line[..Math.Min(line.Length, 80)])}' is not an HTTP/1.x status line.");
    }
}
