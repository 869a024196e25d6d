using System.Diagnostics.CodeAnalysis;
using Gateway.Core.Channels;

namespace Gateway.Core.Access;

/// <summary>
/// A grant's channel pattern: channel-name characters, <c>*</c> for any run of characters (none, or any number,
/// dots included: <c>orders.*</c> matches <c>orders.eu</c> and <c>orders.eu.1</c>; <c>*</c> alone matches every
/// channel), and <c>{sub}</c> for the token's subject. Matching is ordinal (case-sensitive, like channel names).
/// A subject that is empty or has a character not allowed in channel names (e.g. <c>*</c> or <c>/</c>) makes a
/// <c>{sub}</c> pattern match nothing, so no subject can widen a grant.
/// </summary>
public static class ChannelPattern
{
    public const string SubjectPlaceholder = "{sub}";

    public const char Wildcard = '*';

    private const int MaxLength = 256;

    public static bool TryValidate([NotNullWhen(true)] string? pattern, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            error = "A channel pattern is empty.";
            return false;
        }

        if (pattern.Length > MaxLength)
        {
            error = $"The channel pattern '{pattern[..32]}…' is longer than {MaxLength} characters.";
            return false;
        }

        var literal = pattern.Replace(SubjectPlaceholder, "", StringComparison.Ordinal).Replace("*", "", StringComparison.Ordinal);
        if (literal.Length > 0 && !ChannelName.TryValidate(literal, out _))
        {
            error = $"The channel pattern '{pattern}' has a character that is not allowed: use channel-name characters (ASCII letters, digits, '-', '_', '.', ':'), '*' and {SubjectPlaceholder}.";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Whether <paramref name="channel"/> matches <paramref name="pattern"/> for a token whose subject is <paramref name="subject"/>.</summary>
    public static bool Matches(string pattern, string channel, string? subject)
    {
        if (!TryValidate(pattern, out _))
        {
            return false;
        }

        if (pattern.Contains(SubjectPlaceholder, StringComparison.Ordinal))
        {
            // The subject is inserted literally; one that could not be part of a channel name matches nothing.
            if (subject is null || !ChannelName.IsValid(subject))
            {
                return false;
            }

            pattern = pattern.Replace(SubjectPlaceholder, subject, StringComparison.Ordinal);
        }

        return Glob(pattern, channel);
    }

    /// <summary>Wildcard matching with backtracking to the last <c>*</c>: linear in practice, quadratic at worst.</summary>
    private static bool Glob(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == Wildcard)
            {
                star = p++;
                resume = t;
            }
            else if (p < pattern.Length && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == Wildcard)
        {
            p++;
        }

        return p == pattern.Length;
    }
}
