using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Core.Bus;
using Microsoft.AspNetCore.Http;

namespace Gateway.Core.Http;

/// <summary>
/// The answer to a publish, by what the bus can vouch for: <c>201 Created</c> with the event's <c>id</c> once it is
/// in the log (embedded bus); <c>200 OK</c> with the first attempt's <c>id</c> when an <c>Idempotency-Key</c> was
/// appended before; <c>202 Accepted</c> without an id when it is durably queued and gets its id at ingest (Service Bus).
/// </summary>
internal static class PublishResponse
{
    public static Task WriteAsync(HttpContext context, string channel, string? eventName, int bytes, PublishReceipt receipt)
    {
        context.Response.StatusCode = receipt switch
        {
            { Position: null } => StatusCodes.Status202Accepted,
            { AppendedBefore: true } => StatusCodes.Status200OK,
            _ => StatusCodes.Status201Created,
        };
        var body = new PublishAnswer(receipt.Position?.ToString(), channel, eventName, bytes);
        return context.Response.WriteAsJsonAsync(body, PublishJsonContext.Default.PublishAnswer, cancellationToken: context.RequestAborted);
    }
}

/// <summary>The publish response body; <c>id</c> is the SSE id the event has (or will have) in its channel.</summary>
internal sealed record PublishAnswer(string? Id, string Channel, string? Event, int Bytes);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PublishAnswer))]
internal sealed partial class PublishJsonContext : JsonSerializerContext;
