using System.Net;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;

namespace Gateway.Tests.Access;

/// <summary>The server host's CORS on the gateway routes: configured origins only, preflight, credentials with cookie tokens.</summary>
public sealed class CorsTests
{
    private const string Origin = "http://app.example.test:8080";

    [Fact]
    public async Task A_configured_origin_gets_a_preflight_answer_with_credentials_and_the_stream_headers()
    {
        await using var host = await GatewayTestHost.StartAsync(TestTokens.Settings(("Gateway:Cors:Origins:0", Origin)));
        using var response = await PreflightAsync(host, Origin);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Origin, Single(response, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Single(response, "Access-Control-Allow-Credentials"));
        var headers = Single(response, "Access-Control-Allow-Headers").Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("Last-Event-ID", headers, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("Authorization", headers, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_cross_origin_get_from_a_configured_origin_is_allowed_by_the_answer()
    {
        await using var host = await GatewayTestHost.StartAsync(TestTokens.Settings(("Gateway:Cors:Origins:0", Origin), ("Gateway:Auth:PublicChannels:0", "open")));
        using var request = new HttpRequestMessage(HttpMethod.Get, GatewayHttp.StreamPath("open"));
        request.Headers.Add("Origin", Origin);
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Origin, Single(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Without_auth_credentials_are_not_allowed()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Cors:Origins:0", Origin));
        using var response = await PreflightAsync(host, Origin);

        Assert.Equal(Origin, Single(response, "Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task An_origin_that_is_not_configured_gets_no_cors_headers()
    {
        await using var host = await GatewayTestHost.StartAsync(TestTokens.Settings(("Gateway:Cors:Origins:0", Origin)));
        using var other = await PreflightAsync(host, "http://evil.example.test");
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));

        await using var none = await GatewayTestHost.StartAsync(TestTokens.Settings());
        using var unconfigured = await PreflightAsync(none, Origin);
        Assert.False(unconfigured.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("/api/channels/orders/stream", "GET")]
    [InlineData("/api/stream?channel=orders&channel=audit", "GET")]
    [InlineData("/api/channels/orders/events", "POST")]
    [InlineData("/api/channels/orders", "GET")]
    [InlineData("/api/health", "GET")]
    public async Task Every_gateway_route_answers_a_preflight_from_a_configured_origin(string path, string method)
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Cors:Origins:0", Origin));
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", Origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Origin, Single(response, "Access-Control-Allow-Origin"));
        Assert.Contains(method, Single(response, "Access-Control-Allow-Methods").Split(',', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task A_cross_origin_publish_is_allowed_by_the_answer_and_a_request_without_origin_gets_no_cors_headers()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Cors:Origins:0", Origin));
        using var crossOrigin = new HttpRequestMessage(HttpMethod.Post, GatewayHttp.PublishPath("orders")) { Content = new StringContent("one") };
        crossOrigin.Headers.Add("Origin", Origin);
        using var published = await host.Client.SendAsync(crossOrigin);
        Assert.True(published.IsSuccessStatusCode, $"{(int)published.StatusCode}");
        Assert.Equal(Origin, Single(published, "Access-Control-Allow-Origin"));

        // No Origin: a same-origin page or a server-side client; CORS has nothing to say and the stream runs as usual.
        using var stream = await host.Client.GetAsync(GatewayHttp.StreamPath("orders"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.False(stream.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task The_policy_stays_on_the_gateway_routes()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Cors:Origins:0", Origin));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Origin", Origin);
        using var page = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.False(page.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_wildcard_origin_stops_the_host_at_start()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayTestHost.StartAsync(("Gateway:Cors:Origins:0", "*")));
        Assert.Contains("Gateway:Cors:Origins", error.Message, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> PreflightAsync(GatewayTestHost host, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, GatewayHttp.StreamPath("orders"));
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "last-event-id, authorization");
        return await host.Client.SendAsync(request);
    }

    private static string Single(HttpResponseMessage response, string header) =>
        Assert.Single(response.Headers.GetValues(header));
}
