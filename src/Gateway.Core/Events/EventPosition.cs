using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;

namespace Gateway.Core.Events;

/// <summary>
/// A position in one channel's log: the log's epoch and an offset. Its text form is the SSE event id,
/// <c>{epoch}-{offset}</c>, e.g. <c>k3f9x2ab-42</c>. The epoch is a random token made when the log is
/// created, so an id from a log that was deleted and re-created is recognised as stale instead of being
/// read as a position in the new log.
/// </summary>
public readonly record struct EventPosition(string Epoch, long Offset)
{
    public const int MaxEpochLength = 16;
    public const int NewEpochLength = 8;
    private const string EpochAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Epoch}-{Offset}");

    public static string NewEpoch() => RandomNumberGenerator.GetString(EpochAlphabet, NewEpochLength);

    public static bool IsValidEpoch([NotNullWhen(true)] string? epoch)
    {
        if (string.IsNullOrEmpty(epoch) || epoch.Length > MaxEpochLength)
        {
            return false;
        }

        foreach (var c in epoch)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool TryParse(string? text, out EventPosition position, [NotNullWhen(false)] out string? error)
    {
        position = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "The event id is empty.";
            return false;
        }

        var dash = text.LastIndexOf('-');
        if (dash <= 0 || dash == text.Length - 1)
        {
            error = $"The event id '{Truncate(text)}' is not of the form '{{epoch}}-{{offset}}' that this gateway issues.";
            return false;
        }

        var epoch = text[..dash];
        if (!IsValidEpoch(epoch))
        {
            error = $"The event id '{Truncate(text)}' has an invalid epoch: 1–{MaxEpochLength} lowercase letters or digits are expected.";
            return false;
        }

        var digits = text.AsSpan(dash + 1);
        // Only ASCII digits: long.TryParse alone also accepts trailing NULs ("1\0") and would misread them.
        if (digits.Length > 19
            || digits.ContainsAnyExceptInRange('0', '9')
            || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            error = $"The event id '{Truncate(text)}' has an invalid offset: a non-negative decimal integer is expected.";
            return false;
        }

        position = new EventPosition(epoch, offset);
        error = null;
        return true;
    }

    private static string Truncate(string text) => text.Length <= 64 ? Sanitize(text) : Sanitize(text[..64]) + "…";

    // Keeps control characters out of error messages and logs.
    private static string Sanitize(string text) =>
        string.Create(text.Length, text, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
}
