using System.Net.ServerSentEvents;
using System.Text;
using Gateway.Core.Events;

namespace Gateway.Core.Streaming;

/// <summary>
/// Frames for multi-channel streams. The id differs per stream (it holds every channel's position), so each stream
/// writes its own <c>id</c> line; the rest of the frame (event name and data) is encoded once per event and shared.
/// SSE fields may come in any order within a frame: the id applies when the frame is dispatched.
/// </summary>
internal static class MultiChannelFrames
{
    private static readonly byte[] IdField = "id: "u8.ToArray();

    /// <summary>The <c>id:</c> line; the id holds only ASCII letters, digits, '.', '_' and '-'.</summary>
    public static byte[] IdLine(string id)
    {
        var line = new byte[IdField.Length + id.Length + 1];
        IdField.CopyTo(line, 0);
        Encoding.ASCII.GetBytes(id, line.AsSpan(IdField.Length));
        line[^1] = (byte)'\n';
        return line;
    }

    /// <summary>The event's frame without an id, encoded on first use and then shared by every multi-channel stream.</summary>
    public static ReadOnlyMemory<byte> BodyOf(ChannelEvent e)
    {
        var frame = Volatile.Read(ref e.EncodedFrameWithoutId);
        if (frame is null)
        {
            frame = SseFrames.Encode(new SseItem<ReadOnlyMemory<byte>>(e.Data, e.EventName));
            Interlocked.CompareExchange(ref e.EncodedFrameWithoutId, frame, null);
        }

        return frame;
    }
}
