using System.Net;
using System.Text.Json;
using Gateway.Core.Bus;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;
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
        public Task PublishAsync(string channel, string? eventName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(SecretFailure);
    }
}
