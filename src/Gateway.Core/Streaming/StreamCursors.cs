namespace Gateway.Core.Streaming;

/// <summary>A multi-channel stream's cursors, one per channel in the order of its list, and the ids they make.</summary>
internal sealed class MultiChannelCursors
{
    private readonly Dictionary<string, MultiChannelCursor> _byChannel;

    public MultiChannelCursors(IReadOnlyList<string> channels)
    {
        ListHash = CompositePosition.HashOf(channels);
        All = [.. channels.Select((channel, i) => new MultiChannelCursor(i, channel, null, 0))];
        _byChannel = All.ToDictionary(c => c.Channel, StringComparer.Ordinal);
    }

    public string ListHash { get; }

    public MultiChannelCursor[] All { get; }

    public MultiChannelCursor? Of(string channel) => _byChannel.GetValueOrDefault(channel);

    /// <summary>The id of the stream's position now, naming the channel at <paramref name="index"/> (null: none).</summary>
    public string Id(int? index) => CompositePosition.Format(index, ListHash, [.. All.Select(c => c.Position)]);
}
