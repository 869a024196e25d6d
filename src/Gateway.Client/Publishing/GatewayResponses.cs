using System.Net;
using System.Text.Json;

namespace Gateway.Client.Publishing;

/// <summary>Reads the gateway's refusals (problem+json) into <see cref="GatewayRequestException"/>.</summary>
internal static class GatewayResponses
{
    public static async Task<GatewayRequestException> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? detail = null;
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (body.Length > 0 && response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
            {
                using var problem = JsonDocument.Parse(body);
                detail = problem.RootElement.TryGetProperty("detail", out var value) ? value.GetString() : null;
            }
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException or IOException)
        {
            // The status says enough; a body that cannot be read adds nothing.
        }

        return new GatewayRequestException(response.StatusCode, detail, RetryAfter(response));
    }

    public static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };

    public static bool IsSuccess(HttpStatusCode status) => (int)status is >= 200 and < 300;
}
