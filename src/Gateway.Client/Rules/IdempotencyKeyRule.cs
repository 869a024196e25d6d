using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Client.Rules;

/// <summary>
/// A publisher's key for one event (HTTP <c>Idempotency-Key</c>), and the Service Bus <c>MessageId</c> it maps to.
/// Compiled into the client package and into Gateway.Core (one source file): an HTTP publish and an SDK producer
/// that use the same key for the same event get the same MessageId, so the topic's duplicate detection drops either resend.
/// </summary>
internal static class IdempotencyKeyRule
{
    /// <summary>The HTTP request header (IETF draft "The Idempotency-Key HTTP Header Field").</summary>
    public const string HeaderName = "Idempotency-Key";

    /// <summary>Longest key accepted: a UUID, a hash or a composite business key fit with room to spare.</summary>
    public const int MaxLength = 200;

    /// <summary>1–<see cref="MaxLength"/> visible ASCII characters (<c>!</c> to <c>~</c>); no spaces or control characters.</summary>
    public static bool TryValidate([NotNullWhen(true)] string? key, [NotNullWhen(false)] out string? error)
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

    /// <summary>
    /// A MessageId for a key: a hash of channel and key, because a key is scoped to its channel (as in the log's dedupe)
    /// while duplicate detection spans the topic, and a MessageId holds at most 128 characters.
    /// </summary>
    public static string MessageIdOf(string channel, string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(channel + "\n" + key));
        return "key-" + Convert.ToHexStringLower(hash);
    }
}
