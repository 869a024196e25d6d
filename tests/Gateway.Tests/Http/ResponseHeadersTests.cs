using System.Net.Http.Headers;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;

namespace Gateway.Tests.Http;

public sealed class ResponseHeadersTests
{
    [Fact]
    public async Task A_stream_has_the_sse_headers_and_its_first_bytes_arrive_before_any_event()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Stream:RetryInterval", "00:00:04"), ("Gateway:Stream:ReconnectSpread", "00:00:00"));
        using var request = new HttpRequestMessage(HttpMethod.Get, GatewayTestHost.StreamPath("quiet"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));

        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache, response.Headers.CacheControl?.ToString());
        Assert.Equal(["no"], response.Headers.GetValues("X-Accel-Buffering"));
        Assert.Equal(["identity"], response.Content.Headers.ContentEncoding);

        // Nothing is published on this channel: whatever arrives is the opening the server writes at once.
        await using var stream = await SseStream.FromResponseAsync(response);
        await stream.ReadFramesUntilAsync(f => f.IsComment);
        var opening = stream.RawText;
        Assert.Equal("retry: 4000\n\n: stream open\n\n", opening);
    }
}
