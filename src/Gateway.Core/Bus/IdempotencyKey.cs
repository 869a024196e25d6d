using System.Diagnostics.CodeAnalysis;

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
    public const string HeaderName = "Idempotency-Key";

    /// <summary>Longest key accepted: a UUID, a hash or a composite business key fit with room to spare.</summary>
    public const int MaxLength = 200;

    private const string SourceIdPrefix = "key:";

    /// <summary>The source id that the log's dedupe markers record for <paramref name="key"/>.</summary>
    public static string ToSourceId(string key) => SourceIdPrefix + key;

    /// <summary>1–<see cref="MaxLength"/> visible ASCII characters (<c>!</c> to <c>~</c>); no spaces or control characters.</summary>
    public static bool TryValidate(string? key, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(key))
        {
            error = $"The {HeaderName} header is empty; send 1–{MaxLength} visible ASCII characters, e.g. a UUID.";
            return false;
        }

        if (key.Length > MaxLength)
        {
            error = $"The {HeaderName} header is {key.Length} characters long; at most {MaxLength} are allowed.";
            return false;
        }

        foreach (var c in key)
        {
            if (c is < '!' or > '~')
            {
                error = $"The {HeaderName} header may hold only visible ASCII characters ('!' to '~'); it contains U+{(int)c:X4}.";
                return false;
            }
        }

        error = null;
        return true;
    }
}
