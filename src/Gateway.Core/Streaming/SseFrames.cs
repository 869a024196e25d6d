using System.Buffers;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text;
using Gateway.Core.Events;

namespace Gateway.Core.Streaming;

/// <summary>
/// The bytes a stream writes. Events are framed by <see cref="SseFormatter"/> once per event and shared by
/// every subscriber. Control frames (a lone <c>retry:</c>, a comment) are fixed lines the formatter has no
/// item for: it always writes a <c>data</c> field, which would make browsers fire an empty message event.
/// </summary>
public static class SseFrames
{
    /// <summary>The named event a stream sends when it cannot continue exactly from the client's id.</summary>
    public const string ResetEventName = Gateway.Client.Rules.EventContentRules.ResetEventName;

    /// <summary>The comment the stream opens with, so proxies and clients see it open at once.</summary>
    public static ReadOnlyMemory<byte> Opened { get; } = ": stream open\n\n"u8.ToArray();

    public static ReadOnlyMemory<byte> Heartbeat { get; } = ": heartbeat\n\n"u8.ToArray();

    /// <summary>A frame that only sets the client's reconnection delay.</summary>
    public static byte[] Retry(TimeSpan interval) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"retry: {(long)interval.TotalMilliseconds}\n\n"));

    /// <summary>The event as an SSE frame, encoded on first use and then shared by every stream that writes it.</summary>
    internal static ReadOnlyMemory<byte> FrameOf(ChannelEvent e)
    {
        var frame = Volatile.Read(ref e.EncodedFrame);
        if (frame is null)
        {
            frame = Encode(new SseItem<ReadOnlyMemory<byte>>(e.Data, e.EventName) { EventId = e.Id });
            Interlocked.CompareExchange(ref e.EncodedFrame, frame, null);
        }

        return frame;
    }

    /// <summary>Frames one item with <see cref="SseFormatter"/>; the data is UTF-8 bytes written as they are.</summary>
    public static byte[] Encode(SseItem<ReadOnlyMemory<byte>> item)
    {
        using var buffer = new MemoryStream();

        // A MemoryStream completes every write synchronously, so this never blocks.
        SseFormatter.WriteAsync(One(item), buffer, static (i, writer) => writer.Write(i.Data.Span), CancellationToken.None)
            .GetAwaiter().GetResult();
        return buffer.ToArray();
    }

#pragma warning disable CS1998 // One item, no awaits: the formatter takes an async sequence.
    private static async IAsyncEnumerable<SseItem<ReadOnlyMemory<byte>>> One(SseItem<ReadOnlyMemory<byte>> item)
    {
        yield return item;
    }
#pragma warning restore CS1998
}
