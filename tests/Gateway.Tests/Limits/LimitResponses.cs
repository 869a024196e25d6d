using System.Net;
using Gateway.Testing.Http;

namespace Gateway.Tests.Limits;

/// <summary>Checks shared by the limit tests: a refusal is problem+json with a detail and a Retry-After in seconds.</summary>
internal static class LimitResponses
{
    public static async Task<TimeSpan> AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string detailMentions)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains(detailMentions, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter >= TimeSpan.FromSeconds(1), $"Retry-After is '{response.Headers.RetryAfter}', not a delay in seconds.");
        return retryAfter!.Value;
    }

    /// <summary>A GET of the stream that returns once headers arrive, whatever the status.</summary>
    public static Task<HttpResponseMessage> GetStreamAsync(HttpClient client, string channel) =>
        client.GetAsync(GatewayHttp.StreamPath(channel), HttpCompletionOption.ResponseHeadersRead);
}
