using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;
using Gateway.Testing.Sse;

namespace Gateway.Tests.Access;

/// <summary>Who may read and publish what on the server host with <c>Gateway:Auth</c> set: each case and its status.</summary>
public sealed class AccessTokenTests : IAsyncLifetime
{
    private GatewayTestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await GatewayTestHost.StartAsync(TestTokens.Settings(("Gateway:Auth:PublicChannels:0", "news.*")));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_valid_token_that_grants_the_channel_opens_the_stream()
    {
        var token = TestTokens.Mint(subscribe: ["orders"]);
        using var response = await GetStreamAsync("orders", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task No_token_is_401_with_a_bearer_challenge_and_a_problem()
    {
        using var response = await GetStreamAsync("orders", token: null);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Token required");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    public static TheoryData<string, string> InvalidTokens() => new()
    {
        { "expired", TestTokens.Mint(subscribe: ["orders"], notBefore: DateTimeOffset.UtcNow.AddHours(-2), expires: DateTimeOffset.UtcNow.AddHours(-1)) },
        { "not yet valid", TestTokens.Mint(subscribe: ["orders"], notBefore: DateTimeOffset.UtcNow.AddHours(1), expires: DateTimeOffset.UtcNow.AddHours(2)) },
        { "wrong signature", TestTokens.Mint(subscribe: ["orders"], key: TestTokens.OtherKey) },
        { "wrong issuer", TestTokens.Mint(subscribe: ["orders"], issuer: "https://someone-else.test") },
        { "wrong audience", TestTokens.Mint(subscribe: ["orders"], audience: "another-api") },
        { "alg none", TestTokens.Mint(subscribe: ["orders"], algNone: true) },
        { "not a jwt", "not-a-token" },
    };

    [Theory]
    [MemberData(nameof(InvalidTokens))]
    public async Task An_invalid_token_is_401_with_invalid_token_and_a_problem(string why, string token)
    {
        if (why == "alg none")
        {
            Assert.Equal("none", TestTokens.Algorithm(token));
        }

        using var response = await GetStreamAsync("orders", token);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Invalid token");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("invalid_token", challenge.Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_that_does_not_grant_the_channel_is_403_and_does_not_say_whether_the_channel_exists()
    {
        using (var published = await PostAsync("secret", TestTokens.Mint(publish: ["secret"])))
        {
            Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        }

        await _host.WaitForHeadAsync("secret", 1);
        var token = TestTokens.Mint(subscribe: ["orders"]);

        using var existing = await GetStreamAsync("secret", token);
        using var missing = await GetStreamAsync("nothing-here", token);
        var a = await AssertProblemAsync(existing, HttpStatusCode.Forbidden, "Channel not granted");
        var b = await AssertProblemAsync(missing, HttpStatusCode.Forbidden, "Channel not granted");
        Assert.Equal(a.Replace("secret", "{c}", StringComparison.Ordinal), b.Replace("nothing-here", "{c}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("orders.*", "orders.eu", HttpStatusCode.OK)]
    [InlineData("orders.*", "orders.eu.42", HttpStatusCode.OK)]
    [InlineData("orders.*", "orderseu", HttpStatusCode.Forbidden)]
    [InlineData("*", "anything.at:all", HttpStatusCode.OK)]
    [InlineData("*.audit", "billing.audit", HttpStatusCode.OK)]
    [InlineData("*.audit", "billing.audit.raw", HttpStatusCode.Forbidden)]
    public async Task A_pattern_grants_the_channels_it_matches(string pattern, string channel, HttpStatusCode expected)
    {
        using var response = await GetStreamAsync(channel, TestTokens.Mint(subscribe: [pattern]));
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Sub_in_a_pattern_is_the_tokens_own_subject_and_never_another_users()
    {
        var alice = TestTokens.Mint(subject: "alice", subscribe: ["user.{sub}"]);
        using var own = await GetStreamAsync("user.alice", alice);
        using var other = await GetStreamAsync("user.bob", alice);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        await AssertProblemAsync(other, HttpStatusCode.Forbidden, "Channel not granted");
    }

    [Theory]
    [InlineData("*")]
    [InlineData("bob/x")]
    [InlineData("")]
    public async Task A_subject_with_characters_not_allowed_in_channel_names_matches_nothing(string subject)
    {
        var token = TestTokens.Mint(subject: subject, subscribe: ["user.{sub}"]);
        using var response = await GetStreamAsync("user.bob", token);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Grants_may_be_one_space_separated_string()
    {
        var token = TestTokens.Mint(claims: new Dictionary<string, object> { ["subscribe"] = "orders prices.*" });
        using var orders = await GetStreamAsync("orders", token);
        using var prices = await GetStreamAsync("prices.msft", token);
        using var other = await GetStreamAsync("news-not", token);
        Assert.Equal(HttpStatusCode.OK, orders.StatusCode);
        Assert.Equal(HttpStatusCode.OK, prices.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
    }

    [Fact]
    public async Task A_query_token_is_refused_while_query_tokens_are_off()
    {
        var token = TestTokens.Mint(subscribe: ["orders"]);
        using var response = await _host.Client.GetAsync($"{GatewayHttp.StreamPath("orders")}?access_token={token}", HttpCompletionOption.ResponseHeadersRead);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Token required");
    }

    [Fact]
    public async Task A_query_token_is_accepted_when_query_tokens_are_on()
    {
        await using var host = await GatewayTestHost.StartAsync(TestTokens.Settings(("Gateway:Auth:QueryToken", "true")));
        var token = TestTokens.Mint(subscribe: ["orders"]);
        using var response = await host.Client.GetAsync($"{GatewayHttp.StreamPath("orders")}?access_token={token}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_cookie_token_opens_the_stream()
    {
        var token = TestTokens.Mint(subscribe: ["orders"]);
        using var request = new HttpRequestMessage(HttpMethod.Get, GatewayHttp.StreamPath("orders"));
        request.Headers.Add("Cookie", $"gateway_token={token}");
        using var response = await _host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_public_channel_is_read_without_a_token_but_not_published_to()
    {
        using var stream = await GetStreamAsync("news.today", token: null);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);

        using var publish = await PostAsync("news.today", token: null);
        await AssertProblemAsync(publish, HttpStatusCode.Unauthorized, "Token required");
    }

    [Fact]
    public async Task Publishing_needs_a_token_with_a_publish_grant()
    {
        using var none = await PostAsync("orders", token: null);
        using var readOnly = await PostAsync("orders", TestTokens.Mint(subscribe: ["orders"]));
        using var granted = await PostAsync("orders", TestTokens.Mint(publish: ["orders.*", "orders"]));
        await AssertProblemAsync(none, HttpStatusCode.Unauthorized, "Token required");
        await AssertProblemAsync(readOnly, HttpStatusCode.Forbidden, "Channel not granted");
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
    }

    [Fact]
    public async Task A_granted_reader_receives_what_a_granted_publisher_sends()
    {
        using var reader = new HttpClient { BaseAddress = _host.BaseAddress, Timeout = Waits.Request };
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Mint(subject: "r", subscribe: ["orders.*"]));
        await using var stream = await SseStream.OpenAsync(reader, GatewayHttp.StreamPath("orders.eu"));

        using var accepted = await PostAsync("orders.eu", TestTokens.Mint(subject: "w", publish: ["orders.*"]), "hello");
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal("hello", (await stream.NextAsync()).Data);
    }

    private async Task<HttpResponseMessage> GetStreamAsync(string channel, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, GatewayHttp.StreamPath(channel));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private async Task<HttpResponseMessage> PostAsync(string channel, string? token, string data = "x")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, GatewayHttp.PublishPath(channel))
        {
            Content = new StringContent(data, Encoding.UTF8, "text/plain"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _host.Client.SendAsync(request);
    }

    /// <summary>Checks the status and problem shape; returns the detail.</summary>
    internal static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(title, body.RootElement.GetProperty("title").GetString());
        Assert.Equal((int)status, body.RootElement.GetProperty("status").GetInt32());
        return body.RootElement.GetProperty("detail").GetString()!;
    }
}
