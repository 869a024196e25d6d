using System.Net;

namespace Gateway.Client.Publishing;

/// <summary>
/// The gateway's answer to a publish: <c>201</c> with the event's <see cref="Id"/> once it is in the log (in-memory bus),
/// <c>200</c> with the first attempt's id for a repeated <c>Idempotency-Key</c>, <c>202</c> without an id once Service
/// Bus holds it (the id is assigned at ingest).
/// </summary>
/// <param name="Status">201, 200 or 202.</param>
/// <param name="Id">The event's SSE id, when the gateway already knows it.</param>
public sealed record GatewayPublishResult(HttpStatusCode Status, string? Id)
{
    /// <summary>True for <c>200</c>: an earlier attempt with the same key was appended, and this one was not.</summary>
    public bool IsRepeat => Status == HttpStatusCode.OK;
}
