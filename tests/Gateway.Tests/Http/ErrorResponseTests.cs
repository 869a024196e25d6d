using System.Net;
using System.Text.Json;
using Gateway.Core.Access;
using Gateway.Core.Bus;
using Gateway.Tests.Access;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Http;

/// <summary>
/// Every error answer of the server host is <c>application/problem+json</c> with a detail — the framework's own
/// 404, 405 and 500 included — and a 500 never carries the exception's text.
/// </summary>
public sealed class ErrorResponseTests
{
    private const string SecretFailure = "connection refused by secret-host-1234";

    [Theory]
    [InlineData("GET", "/nope", HttpStatusCode.NotFound, "No route matches GET /nope")]
    [InlineData("GET", "/api/unknown", HttpStatusCode.NotFound, "No route matches GET /api/unknown")]
    [InlineData("PUT", "/api/channels/c/stream", HttpStatusCode.MethodNotAllowed, "PUT is not allowed")]
    [InlineData("DELETE", "/api/channels/c/events", HttpStatusCode.MethodNotAllowed, "DELETE is not allowed")]
    [InlineData("POST", "/api/health", HttpStatusCode.MethodNotAllowed, "POST is not allowed")]
    [InlineData("GET", "/api/channels/a/b/stream", HttpStatusCode.BadRequest, "no '/'")]
    public async Task Framework_errors_are_problem_json_with_a_detail(string method, string path, HttpStatusCode status, string detailMentions)
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var response = await host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        var detail = await AssertProblemAsync(response, status);
        Assert.Contains(detailMentions, detail, StringComparison.Ordinal);
        if (status == HttpStatusCode.MethodNotAllowed)
        {
            Assert.NotEmpty(response.Content.Headers.Allow);
        }
    }

    [Fact]
    public async Task An_unhandled_failure_is_a_500_problem_without_the_exception_text()
    {
        await using var host = await GatewayTestHost.StartAsync(builder => builder.Services.AddSingleton<IEventBus>(new FailingBus()));
        using var response = await host.Client.PostAsync(GatewayHttp.PublishPath("c"), new StringContent("data"));

        var detail = await AssertProblemAsync(response, HttpStatusCode.InternalServerError);
        Assert.Contains("traceId", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-host", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/channels/c/stream")]
    [InlineData("/api/stream?channel=c")]
    public async Task A_stream_that_fails_before_it_starts_is_a_500_problem_without_the_exception_text(string path)
    {
        // The stream routes skip the exception handler and answer such a failure themselves. Here the token check
        // throws inside the stream's checks (the JwtBearer scheme rethrows what its events throw). A second scheme
        // leaves the host without a default one, so the authentication middleware does not run the token check first.
        await using var host = await GatewayTestHost.StartAsync(
            builder =>
            {
                builder.Services.AddAuthentication().AddCookie("other");
                builder.Services.PostConfigure<JwtBearerOptions>(AccessTokens.Scheme, jwt => jwt.Events.OnMessageReceived = _ => throw new InvalidOperationException(SecretFailure));
            },
            TestTokens.Settings());
        using var response = await host.Client.GetAsync(path);

        var detail = await AssertProblemAsync(response, HttpStatusCode.InternalServerError);
        Assert.Contains("traceId", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-host", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/channels/c/stream", "not-an-id", HttpStatusCode.BadRequest, "Invalid Last-Event-ID")]
    [InlineData("/api/channels/bad%20name/stream", null, HttpStatusCode.BadRequest, "Invalid channel name")]
    [InlineData("/api/stream", null, HttpStatusCode.BadRequest, "No channel")]
    [InlineData("/api/stream?channel=c&channel=c", null, HttpStatusCode.BadRequest, "Duplicate channel")]
    public async Task A_stream_route_refusal_is_problem_json_without_the_error_pages(string path, string? lastEventId, HttpStatusCode status, string title)
    {
        await using var host = await GatewayTestHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await host.Client.SendAsync(request);

        await AssertProblemAsync(response, status);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(title, problem.RootElement.GetProperty("title").GetString());
    }

    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        var detail = problem.RootElement.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail));
        return detail!;
    }

    private sealed class FailingBus : IEventBus
    {
        public Task<PublishReceipt> PublishAsync(string channel, string? eventName, ReadOnlyMemory<byte> data, string? idempotencyKey, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(SecretFailure);
    }
}
