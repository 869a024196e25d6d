using System.Net.Http.Headers;
using System.Text;
using Gateway.Testing.Sse;

namespace Gateway.Tests.Kit;

/// <summary>The test kit's SSE reader: frames split as the spec says, fields read by SseParser, both views on one body.</summary>
public sealed class SseReaderTests
{
    [Fact]
    public void Frames_end_at_a_blank_line_whatever_the_line_ends_and_however_the_bytes_are_chunked()
    {
        var text = "retry: 1000\r\n\r\n: open\n\nevent: a\rdata: é\r\rid: 1\r\ndata: x\r\n\r\ndata: partial";
        var bytes = Encoding.UTF8.GetBytes(text);

        // One byte at a time splits every CRLF and the two bytes of 'é'.
        var log = new SseFrameLog();
        foreach (var b in bytes)
        {
            log.Append([b]);
        }

        Assert.Equal(["retry: 1000\r\n\r\n", ": open\n\n", "event: a\rdata: é\r\r", "id: 1\r\ndata: x\r\n\r\n"], log.Frames.Select(f => f.Raw));
        Assert.Equal("data: partial", log.Unfinished);
        Assert.Equal(text, log.Text);
    }

    [Fact]
    public void A_frame_reads_its_fields_as_the_spec_says()
    {
        var frame = new SseFrame("event: tick\ndata:  two spaces\ndata:\ndata:third\nid: e-7\n\n");
        Assert.True(frame.IsEvent);
        Assert.Equal(" two spaces\n\nthird", frame.Data);
        Assert.Equal("tick", frame.Event);
        Assert.Equal("e-7", frame.Id);
        Assert.Equal(["event: tick", "data:  two spaces", "data:", "data:third", "id: e-7"], frame.Lines);

        Assert.True(new SseFrame(": heartbeat\n\n").IsComment);
        Assert.True(new SseFrame("retry: 3000\n\n").IsRetryOnly);
        Assert.False(new SseFrame("retry: 3000\n\n").IsEvent);
        Assert.Null(new SseFrame("id: 9\n\n").Id);
    }

    [Fact]
    public async Task The_frame_view_and_the_item_view_read_the_same_body()
    {
        await using var stream = await SseStream.FromResponseAsync(Response("retry: 500\n\n: open\n\ndata: one\nid: e-1\n\ndata: two\nid: e-2\n\nretry: 500\n\n"));

        var opening = await stream.ReadFramesUntilAsync(f => f.IsComment);
        Assert.Equal(["retry: 500", ": open"], opening.Select(f => f.ToString()));

        // The frame view read past "one" to find the next frame: the item view still gets it.
        Assert.Equal("two", (await stream.ReadFramesUntilAsync(f => f.IsEvent && f.Data == "two"))[^1].Data);
        Assert.Equal(["one", "two"], (await stream.ReadToEndAsync()).Select(i => i.Data));
        Assert.True((await stream.ReadFramesToEndAsync()).Single().IsRetryOnly);
        Assert.Equal(TimeSpan.FromMilliseconds(500), stream.Parser.ReconnectionInterval);
        Assert.EndsWith("\n\nretry: 500\n\n", stream.RawText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_that_ends_inside_a_frame_fails_the_frame_view()
    {
        await using var stream = await SseStream.FromResponseAsync(Response("data: one\n\ndata: cut"));
        Assert.Equal("one", (await stream.NextFrameAsync())?.Data);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => stream.NextFrameAsync());
        Assert.Contains("data: cut", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_that_is_not_an_event_stream_is_refused()
    {
        using var response = Response("{}");
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await Assert.ThrowsAsync<InvalidOperationException>(() => SseStream.FromResponseAsync(response));
    }

    private static HttpResponseMessage Response(string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
        return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = content };
    }
}
