using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Gateway.Testing.Http;

/// <summary>Publishing as a careful producer does: with an <c>Idempotency-Key</c>, reading the answer instead of demanding one status.</summary>
public static class GatewayPublish
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Posts <paramref name="data"/> to the channel with the given keys (none, one, or several headers) and reads the answer.</summary>
    public static async Task<PublishResult> SendAsync(this HttpClient client, string channel, string data, params string[] idempotencyKeys)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, GatewayHttp.PublishPath(channel))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(data)) { Headers = { ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" } } },
        };
        foreach (var key in idempotencyKeys)
        {
            // Without validation: the tests send keys the gateway must refuse.
            request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader, key);
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        string? id = null;
        if (response.IsSuccessStatusCode)
        {
            using var json = JsonDocument.Parse(body);
            id = json.RootElement.TryGetProperty("id", out var value) ? value.GetString() : null;
        }

        return new PublishResult(response.StatusCode, id, body);
    }
}
