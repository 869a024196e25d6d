using System.IO.Pipelines;
using Gateway.Core.Hub;

namespace Gateway.Core.Streaming;

/// <summary>
/// A stream's response body pipe, counting what is written but not yet flushed, and telling the subscription when a
/// flush is in flight (a client that stops reading during catch-up is found by a flush that does not complete).
/// </summary>
internal sealed class StreamOutput(PipeWriter writer, HubSubscription subscription, CancellationToken aborted)
{
    public int Unflushed { get; private set; }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        // On the PipeWriter itself, not through the IBufferWriter extension: its interface dispatch was a few percent
        // of the CPU per delivery. A span may be shorter than asked (an event past the pool's block size), so loop.
        Unflushed += bytes.Length;
        while (!bytes.IsEmpty)
        {
            var span = writer.GetSpan(bytes.Length);
            var length = Math.Min(span.Length, bytes.Length);
            bytes[..length].CopyTo(span);
            writer.Advance(length);
            bytes = bytes[length..];
        }
    }

    /// <summary>False when the client has gone.</summary>
    public async ValueTask<bool> FlushAsync()
    {
        if (Unflushed == 0)
        {
            return !aborted.IsCancellationRequested;
        }

        Unflushed = 0;
        subscription.WriteStarted();
        var result = await writer.FlushAsync(aborted);
        subscription.WriteCompleted();
        return !result.IsCompleted && !result.IsCanceled;
    }
}
