using System.Net.ServerSentEvents;
using System.Text;
using Gateway.Core.Events;
using Gateway.Core.Streaming;

namespace Gateway.Tests.Unit;

public sealed class SseFramesTests
{
    [Fact]
    public async Task An_event_frame_parses_back_to_the_same_event()
    {
        var e = new ChannelEvent("c", "abc123", 7, "update", Encoding.UTF8.GetBytes("line 1\nline 2\n: not a comment\n data"), DateTimeOffset.UnixEpoch);

        var (items, parser) = await Parse(SseFrames.FrameOf(e).ToArray());

        var item = Assert.Single(items);
        Assert.Equal("update", item.EventType);
        Assert.Equal("abc123-7", item.EventId);
        Assert.Equal("line 1\nline 2\n: not a comment\n data", item.Data);
        Assert.Equal("abc123-7", parser.LastEventId);
    }

    [Fact]
    public async Task An_event_without_a_name_is_a_message()
    {
        var e = new ChannelEvent("c", "abc", 1, null, "x"u8.ToArray(), DateTimeOffset.UnixEpoch);

        var (items, _) = await Parse(SseFrames.FrameOf(e).ToArray());

        Assert.Equal(SseParser.EventTypeDefault, Assert.Single(items).EventType);
    }

    [Fact]
    public async Task A_retry_frame_sets_the_reconnection_interval_and_fires_no_event()
    {
        var (items, parser) = await Parse(SseFrames.Retry(TimeSpan.FromMilliseconds(2500)));

        Assert.Empty(items);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), parser.ReconnectionInterval);
        Assert.Equal("retry: 2500\n\n", Encoding.UTF8.GetString(SseFrames.Retry(TimeSpan.FromMilliseconds(2500))));
    }

    [Fact]
    public async Task The_open_and_heartbeat_comments_between_events_are_invisible_to_the_client()
    {
        // A stream as the gateway writes it: opening comment, retry, an event, a heartbeat, an event, a heartbeat.
        var first = new ChannelEvent("c", "abc", 1, "update", "one"u8.ToArray(), DateTimeOffset.UnixEpoch);
        var second = new ChannelEvent("c", "abc", 2, null, "two"u8.ToArray(), DateTimeOffset.UnixEpoch);
        byte[] stream =
        [
            .. SseFrames.Opened.Span, .. SseFrames.Retry(TimeSpan.FromMilliseconds(2500)), .. SseFrames.FrameOf(first).Span,
            .. SseFrames.Heartbeat.Span, .. SseFrames.FrameOf(second).Span, .. SseFrames.Heartbeat.Span,
        ];

        var (items, parser) = await Parse(stream);

        // Exactly the two events, their data untouched (a heartbeat is no data line and dispatches nothing), and
        // neither the last event id nor the reconnection interval is changed by the comments after them.
        Assert.Equal([("update", "abc-1", "one"), (SseParser.EventTypeDefault, "abc-2", "two")], items.Select(i => (i.EventType, i.EventId, i.Data)));
        Assert.Equal("abc-2", parser.LastEventId);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), parser.ReconnectionInterval);
    }

    [Fact]
    public async Task A_heartbeat_alone_dispatches_nothing_where_a_data_line_would()
    {
        // The control: the same bytes as a data field are an event, so an empty result below is the parser's
        // verdict on the heartbeat, not an empty input.
        var heartbeat = SseFrames.Heartbeat.ToArray();
        var asData = Encoding.UTF8.GetBytes("data" + Encoding.UTF8.GetString(heartbeat));

        Assert.Empty((await Parse(heartbeat)).Items);
        Assert.Empty((await Parse(SseFrames.Opened.ToArray())).Items);
        Assert.Single((await Parse(asData)).Items);
    }

    [Fact]
    public async Task The_same_event_frame_is_encoded_once_and_shared()
    {
        var e = new ChannelEvent("c", "abc", 1, null, "x"u8.ToArray(), DateTimeOffset.UnixEpoch);

        Assert.True(SseFrames.FrameOf(e).Equals(SseFrames.FrameOf(e)));
        var (items, _) = await Parse([.. SseFrames.FrameOf(e).ToArray(), .. SseFrames.FrameOf(e).ToArray()]);
        Assert.Equal(2, items.Count);
    }

    private static async Task<(List<SseItem<string>> Items, SseParser<string> Parser)> Parse(byte[] bytes)
    {
        var parser = SseParser.Create(new MemoryStream(bytes));
        var items = new List<SseItem<string>>();
        await foreach (var item in parser.EnumerateAsync())
        {
            items.Add(item);
        }

        return (items, parser);
    }
}
