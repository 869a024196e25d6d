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
    public async Task The_open_and_heartbeat_comments_fire_no_event()
    {
        var bytes = SseFrames.Opened.ToArray().Concat(SseFrames.Heartbeat.ToArray()).ToArray();

        var (items, _) = await Parse(bytes);

        Assert.Empty(items);
        Assert.StartsWith(":", Encoding.UTF8.GetString(SseFrames.Heartbeat.Span), StringComparison.Ordinal);
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
