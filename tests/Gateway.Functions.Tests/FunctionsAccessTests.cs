using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Testing.Sse;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Functions.Tests;

/// <summary>
/// Access control in the Functions app: the functions call the same shared check, which validates through the same
/// JwtBearer handler (<c>HttpContext.AuthenticateAsync</c> in the worker's ASP.NET Core integration).
/// </summary>
public sealed class FunctionsAccessTests() : FunctionsHostTest("00:01:00", new Dictionary<string, string?>
{
    ["Gateway:Auth:SigningKey"] = Convert.ToBase64String(Key),
    ["Gateway:Auth:Issuer"] = Issuer,
    ["Gateway:Auth:Audience"] = Audience,
    ["Gateway:Auth:ClockSkew"] = "00:00:00",
    ["Gateway:Stream:DeadlineJitter"] = "00:00:00",
    ["Gateway:Stream:RetryInterval"] = "00:00:01",
})
{
    private const string Issuer = "https://issuer.test";
    private const string Audience = "sse-gateway";
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    [Fact]
    public async Task Stream_without_a_token_is_401_with_a_bearer_challenge()
    {
        using var response = await GetStreamAsync("orders", token: null);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Stream_with_an_expired_token_is_401()
    {
        using var response = await GetStreamAsync("orders", Mint(subscribe: ["orders"], expires: DateTimeOffset.UtcNow.AddMinutes(-5)));
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Stream_with_a_token_that_does_not_grant_the_channel_is_403()
    {
        using var response = await GetStreamAsync("orders", Mint(subscribe: ["news"]));
        await AssertProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Stream_with_a_cookie_token_receives_what_a_token_holder_publishes()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/channels/user.alice/stream", UriKind.Relative));
        request.Headers.Add("Cookie", $"gateway_token={Mint(subscribe: ["user.{sub}"])}");
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestCancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var reader = await SseStream.FromResponseAsync(response, cancellationToken: TestCancellation);
        await reader.ReadFramesUntilAsync(f => f.IsComment);

        using var published = await PublishAsync("user.alice", Mint(subject: "service", publish: ["user.*"]));
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var frames = await reader.ReadFramesUntilAsync(f => f.IsEvent);
        Assert.Equal("hello", frames[^1].Data);
    }

    [Fact]
    public async Task Publish_keeps_the_function_key_and_a_token_must_grant_the_channel()
    {
        // The platform checks the function key before the worker runs (this test host stands in for it), so a
        // request without a token that gets here is a key holder's: accepted as before.
        using var keyOnly = await PublishAsync("orders", token: null);
        Assert.Equal(HttpStatusCode.Created, keyOnly.StatusCode);

        using var granted = await PublishAsync("orders", Mint(publish: ["orders"]));
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);

        using var notGranted = await PublishAsync("orders", Mint(publish: ["news"]));
        await AssertProblemAsync(notGranted, HttpStatusCode.Forbidden);

        using var forged = await PublishAsync("orders", Mint(publish: ["orders"], key: [.. Key.Reverse()]));
        await AssertProblemAsync(forged, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_stream_ends_with_retry_when_its_token_expires()
    {
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3);
        using var response = await GetStreamAsync("expiring", Mint(subscribe: ["expiring"], expires: expires));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var reader = await SseStream.FromResponseAsync(response, cancellationToken: TestCancellation);

        var frames = await reader.ReadFramesToEndAsync();
        Assert.True(DateTimeOffset.UtcNow >= expires, "The stream ended before its token expired.");
        Assert.True(frames[^1].IsRetryOnly, $"The last frame is '{string.Join(" | ", frames[^1].Lines)}', not retry:.");
    }

    private static string Mint(string subject = "alice", string[]? subscribe = null, string[]? publish = null, DateTimeOffset? expires = null, byte[]? key = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (subscribe is not null)
        {
            claims["subscribe"] = subscribe;
        }

        if (publish is not null)
        {
            claims["publish"] = publish;
        }

        var exp = expires ?? DateTimeOffset.UtcNow.AddMinutes(10);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            NotBefore = exp.AddMinutes(-20).UtcDateTime,
            IssuedAt = exp.AddMinutes(-20).UtcDateTime,
            Expires = exp.UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? Key), SecurityAlgorithms.HmacSha256),
        });
    }

    private async Task<HttpResponseMessage> GetStreamAsync(string channel, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/channels/{channel}/stream", UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestCancellation);
    }

    private async Task<HttpResponseMessage> PublishAsync(string channel, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/channels/{channel}/events", UriKind.Relative))
        {
            Content = new StringContent("hello", Encoding.UTF8, "text/plain"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Client.SendAsync(request, TestCancellation);
    }

    private async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestCancellation));
        Assert.Equal((int)status, body.RootElement.GetProperty("status").GetInt32());
    }
}
