using System.Diagnostics.CodeAnalysis;
using Gateway.Client.Rules;

namespace Gateway.Core.Bus;

/// <summary>
/// A publisher's key for one event (HTTP <c>Idempotency-Key</c>): a retry with the same key in the same channel is
/// not appended again, and is answered with the id the first attempt committed. The key becomes the event's source
/// id, the one the log's dedupe markers already use for bus redeliveries; its prefix keeps it apart from the ids
/// buses make up themselves (<c>mem-…</c>, Service Bus sequence numbers).
/// </summary>
public static class IdempotencyKey
{
    /// <summary>The HTTP request header (IETF draft "The Idempotency-Key HTTP Header Field").</summary>
    public const string HeaderName = IdempotencyKeyRule.HeaderName;

    /// <summary>Longest key accepted: a UUID, a hash or a composite business key fit with room to spare.</summary>
    public const int MaxLength = IdempotencyKeyRule.MaxLength;

    private const string SourceIdPrefix = "key:";

    /// <summary>The source id that the log's dedupe markers record for <paramref name="key"/>.</summary>
    public static string ToSourceId(string key) => SourceIdPrefix + key;

    /// <summary>1–<see cref="MaxLength"/> visible ASCII characters (<c>!</c> to <c>~</c>); no spaces or control characters.</summary>
    public static bool TryValidate(string? key, [NotNullWhen(false)] out string? error) =>
        IdempotencyKeyRule.TryValidate(key, out error);

    /// <summary>The Service Bus <c>MessageId</c> for <paramref name="key"/> in <paramref name="channel"/> (the client package's producers make the same).</summary>
    public static string MessageIdOf(string channel, string key) => IdempotencyKeyRule.MessageIdOf(channel, key);
}
