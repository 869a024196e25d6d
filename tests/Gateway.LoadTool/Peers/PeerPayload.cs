using System.Buffers.Text;
using System.Diagnostics;
using System.Text;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// An event's data in the peer run: "sequence timestamp xxxx…", one line of ASCII padded with 'x' to the payload size.
/// The timestamp is <see cref="Stopwatch.GetTimestamp"/>, which on Linux reads the monotonic clock every process on
/// the machine shares, so a receiver in another process can take the difference.
/// </summary>
internal readonly record struct PeerPayload(int Sequence, long SentTimestamp)
{
    /// <summary>The data of event <paramref name="sequence"/>, stamped now, padded to <paramref name="size"/> bytes.</summary>
    public static byte[] Create(int sequence, int size)
    {
        var head = $"{sequence} {Stopwatch.GetTimestamp()} ";
        var bytes = new byte[Math.Max(size, head.Length)];
        Encoding.ASCII.GetBytes(head, bytes);
        bytes.AsSpan(head.Length).Fill((byte)'x');
        return bytes;
    }

    /// <summary>Reads a payload (the event's data as the SSE parser hands it over), or null for anything else.</summary>
    public static PeerPayload? TryParse(ReadOnlySpan<byte> data)
    {
        if (!Utf8Parser.TryParse(data, out int sequence, out var used) || used >= data.Length || data[used] != (byte)' ')
        {
            return null;
        }

        return Utf8Parser.TryParse(data[(used + 1)..], out long timestamp, out _) ? new PeerPayload(sequence, timestamp) : null;
    }
}
