using System.Buffers;
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
        writer.Write(bytes);
        Unflushed += bytes.Length;
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
