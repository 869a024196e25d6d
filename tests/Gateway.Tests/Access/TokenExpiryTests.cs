using System.Net;
using System.Net.Http.Headers;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;
using Gateway.Testing.Sse;

namespace Gateway.Tests.Access;

/// <summary>A stream ends cleanly when its token expires, and the same token is refused afterwards.</summary>
public sealed class TokenExpiryTests
{
    [Fact]
    public async Task A_live_stream_ends_with_retry_at_its_tokens_expiry_and_not_before()
    {
        await using var host = await GatewayTestHost.StartAsync(TestTokens.Settings(
            ("Gateway:Stream:RetryInterval", "00:00:01.500"),
            ("Gateway:Stream:DeadlineJitter", "00:00:00")));

        // JWT times are whole seconds: expire on a second boundary 3 to 4 s from now.
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 4);
        var token = TestTokens.Mint(subscribe: ["expiring"], expires: expires);
        using var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = Waits.Request };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await using var stream = await SseStream.OpenAsync(client, GatewayHttp.StreamPath("expiring"));

        await AccessRequests.PublishAsync(host, "expiring", "while valid", TestTokens.Mint(publish: ["expiring"]));
        Assert.Equal("while valid", (await stream.NextAsync()).Data);

        // Bounded wait for the server to complete the response; an aborted response would throw instead.
        var rest = await stream.ReadToEndAsync(perItem: TimeSpan.FromSeconds(20));
        var ended = DateTimeOffset.UtcNow;

        Assert.Empty(rest);
        Assert.True(ended >= expires, $"The stream ended at {ended:O}, before its token expired at {expires:O}.");
        var frames = stream.RawText.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("retry: 1500", frames[^1]);

        // Reconnecting with the same token is refused: the client must come back with a fresh one.
        using var again = await client.GetAsync(GatewayHttp.StreamPath("expiring"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }
}
