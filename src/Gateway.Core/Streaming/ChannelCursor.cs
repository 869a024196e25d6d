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
    public (string Reason, string Requested)? PendingReset { get; set; }

    public void StartFromOldest(string reason, string requested)
    {
        Last = 0;
        PendingReset = (reason, requested);
    }
}
