namespace Gateway.Core.Streaming;

/// <summary>Where a stream is in one of its channels: the log's epoch (null: no log yet) and the last offset sent.</summary>
internal sealed class ChannelCursor(int index, string channel)
{
    /// <summary>The channel's place in the stream's list (the index in a multi-channel stream's ids).</summary>
    public int Index { get; } = index;

    public string Channel { get; } = channel;

    public string? Epoch { get; set; }

    public long Last { get; set; }

    public ChannelPosition Position => new(Epoch, Epoch is null ? 0 : Last);

    /// <summary>A reset to send once the first retained event (the one the channel continues from) is known.</summary>
    /// <remarks>A reference, not a nullable tuple: every open stream holds its cursors, and almost none owes a reset.</remarks>
    public OwedReset? PendingReset { get; set; }

    public void StartFromOldest(string reason, string requested)
    {
        Last = 0;
        PendingReset = new OwedReset(reason, requested);
    }

    /// <summary>Why the channel's next event comes with a reset, and the client's position it concerns.</summary>
    public sealed record OwedReset(string Reason, string Requested);
}
