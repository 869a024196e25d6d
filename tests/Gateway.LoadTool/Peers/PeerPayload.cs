using System.Buffers.Text;
using System.Diagnostics;
using System.Text;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// An event's data in the peer run: "sequence sent scheduled xxxx…", one line of ASCII padded with 'x' to the payload
/// size. The timestamps are <see cref="Stopwatch.GetTimestamp"/>, which on Linux reads the monotonic clock every
/// process on the machine shares, so a receiver in another process can take the difference. "scheduled" is when the
/// publisher meant to send it: latency from there also counts the time a slow publish answer held the next one back.
/// </summary>
internal readonly record struct PeerPayload(int Sequence, long SentTimestamp, long ScheduledTimestamp)
{
    /// <summary>The data of event <paramref name="sequence"/>, stamped now, padded to <paramref name="size"/> bytes.</summary>
    public static byte[] Create(int sequence, int size, long scheduledTimestamp)
    {
        var head = $"{sequence} {Stopwatch.GetTimestamp()} {scheduledTimestamp} ";
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

        data = data[(used + 1)..];
        if (!Utf8Parser.TryParse(data, out long sent, out used) || used >= data.Length || data[used] != (byte)' ')
        {
            return null;
        }

        return Utf8Parser.TryParse(data[(used + 1)..], out long scheduled, out _) ? new PeerPayload(sequence, sent, scheduled) : null;
    }
}
