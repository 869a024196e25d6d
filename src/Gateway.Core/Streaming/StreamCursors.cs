using Gateway.Core.Events;

namespace Gateway.Core.Streaming;

/// <summary>
/// A stream's cursors, one per channel in the order of its list, and the ids its frames carry: a channel's stream
/// sends each event's own id (<c>{epoch}-{offset}</c>); a multi-channel stream, even over one channel, a
/// <see cref="CompositePosition"/> holding every channel's position.
/// </summary>
internal sealed class StreamCursors
{
    // Only with several channels: one channel is compared directly.
    private readonly Dictionary<string, ChannelCursor>? _byChannel;
    private readonly string? _listHash;

    public StreamCursors(IReadOnlyList<string> channels, bool composite)
    {
        All = new ChannelCursor[channels.Count];
        for (var i = 0; i < All.Length; i++)
        {
            All[i] = new ChannelCursor(i, channels[i]);
        }

        _byChannel = All.Length > 1 ? All.ToDictionary(c => c.Channel, StringComparer.Ordinal) : null;
        _listHash = composite ? CompositePosition.HashOf(channels) : null;
    }

    public ChannelCursor[] All { get; }

    /// <summary>True for a multi-channel stream: its ids and resets name the channel an event or reset is about.</summary>
    public bool IsComposite => _listHash is not null;

    public ChannelCursor? Of(string channel) =>
        _byChannel is not null ? _byChannel.GetValueOrDefault(channel) : All[0].Channel == channel ? All[0] : null;

    /// <summary>Writes the event's frame, its id naming the stream's position with the event (the cursor already moved to it).</summary>
    public void WriteFrame(StreamOutput output, ChannelCursor cursor, ChannelEvent e)
    {
        if (_listHash is null)
        {
            output.Write(SseFrames.FrameOf(e).Span);
            return;
        }

        output.Write(MultiChannelFrames.IdLine(Id(cursor.Index)));
        output.Write(MultiChannelFrames.BodyOf(e).Span);
    }

    /// <summary>The id to resume after now, for a reset about <paramref name="cursor"/> (null: about every channel).</summary>
    public string? ResumeAfter(ChannelCursor? cursor)
    {
        if (_listHash is not null)
        {
            return Id(cursor?.Index);
        }

        var only = cursor ?? All[0];
        return only.Epoch is null ? null : new EventPosition(only.Epoch, only.Last).ToString();
    }

    /// <summary>The start position for the response header: the client's id when it resumes, else where the cursors were placed.</summary>
    public string? StartPosition(StreamStart start)
    {
        if (start.Positions is { } resumed)
        {
            return _listHash is null ? resumed[0].ToString() : CompositePosition.Format(null, _listHash, resumed);
        }

        return ResumeAfter(null);
    }

    /// <summary>The composite id of the stream's position now, naming the channel at <paramref name="index"/> (null: none).</summary>
    private string Id(int? index) => CompositePosition.Format(index, _listHash!, [.. All.Select(c => c.Position)]);
}
