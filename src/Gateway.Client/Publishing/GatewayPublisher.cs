using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Client.Producers;
using Gateway.Client.Rules;

namespace Gateway.Client.Publishing;

/// <summary>
/// Publishes over HTTP (<c>POST /api/channels/{channel}/events?event=NAME</c>). The event is checked with the gateway's
/// rules first. With an <c>Idempotency-Key</c> a publisher that got no answer resends with the same key until a 2xx, and
/// the event is appended once.
/// </summary>
/// <param name="http">Its <see cref="HttpClient.BaseAddress"/> is the gateway (e.g. <c>https://gw.example.com/</c>); add
/// a function key (<c>x-functions-key</c>) or a bearer token to its default headers where the gateway needs one.</param>
/// <param name="limits">The gateway's <c>Gateway:Events</c> limits, when not the defaults.</param>
public sealed class GatewayPublisher(HttpClient http, GatewayEventLimits? limits = null)
{
    /// <summary>Publishes UTF-8 text.</summary>
    /// <exception cref="InvalidGatewayEventException">The gateway would refuse the event (nothing is sent).</exception>
    /// <exception cref="GatewayRequestException">The gateway refused it (4xx/5xx).</exception>
    public Task<GatewayPublishResult> PublishAsync(string channel, string data, string? eventName = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        return PublishAsync(channel, Encoding.UTF8.GetBytes(data), eventName, idempotencyKey, cancellationToken);
    }

    /// <summary>Publishes UTF-8 bytes.</summary>
    /// <exception cref="InvalidGatewayEventException">The gateway would refuse the event (nothing is sent).</exception>
    /// <exception cref="GatewayRequestException">The gateway refused it (4xx/5xx).</exception>
    public async Task<GatewayPublishResult> PublishAsync(string channel, ReadOnlyMemory<byte> data, string? eventName = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        GatewayEventRules.Validate(channel, eventName, data.Span, limits);
        if (idempotencyKey is not null)
        {
            GatewayEventRules.ValidateIdempotencyKey(idempotencyKey);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, PublishPath(channel, eventName))
        {
            Content = new ReadOnlyMemoryContent(data),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        if (idempotencyKey is not null)
        {
            request.Headers.Add(IdempotencyKeyRule.HeaderName, idempotencyKey);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        if (!GatewayResponses.IsSuccess(response.StatusCode))
        {
            throw await GatewayResponses.RefusalAsync(response, cancellationToken);
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        string? id = null;
        if (body.Length > 0)
        {
            using var receipt = JsonDocument.Parse(body);
            id = receipt.RootElement.TryGetProperty("id", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }

        return new GatewayPublishResult(response.StatusCode, id);
    }

    /// <summary>The publish route for <paramref name="channel"/>, relative to the gateway's base address.</summary>
    public static string PublishPath(string channel, string? eventName = null) =>
        $"api/channels/{Uri.EscapeDataString(channel)}/events" + (eventName is null ? string.Empty : "?event=" + Uri.EscapeDataString(eventName));
}
