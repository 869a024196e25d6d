using System.Net.Http.Headers;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Http;

public sealed class ResponseHeadersTests
{
    [Fact]
    public async Task A_stream_has_the_sse_headers_and_its_first_bytes_arrive_before_any_event()
    {
        await using var host = await GatewayHost.StartAsync(("Gateway:Stream:RetryInterval", "00:00:04"));
        using var request = new HttpRequestMessage(HttpMethod.Get, GatewayHost.StreamPath("quiet"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));

        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache, response.Headers.CacheControl?.ToString());
        Assert.Equal(["no"], response.Headers.GetValues("X-Accel-Buffering"));
        Assert.Empty(response.Content.Headers.ContentEncoding);

        // Nothing is published on this channel: whatever arrives is the opening the server writes at once.
        using var body = await response.Content.ReadAsStreamAsync();
        var opening = await ReadUntilAsync(body, "\n\n: stream open\n\n", Waits.Item);
        Assert.Equal("retry: 4000\n\n: stream open\n\n", opening);
    }

    private static async Task<string> ReadUntilAsync(Stream body, string end, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var text = new StringBuilder();
        var buffer = new byte[256];
        while (!text.ToString().EndsWith(end, StringComparison.Ordinal))
        {
            var n = await body.ReadAsync(buffer, cts.Token);
            if (n == 0)
            {
                break;
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return text.ToString();
    }
}
