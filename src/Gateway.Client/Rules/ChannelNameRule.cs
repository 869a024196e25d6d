using System.Diagnostics.CodeAnalysis;

namespace Gateway.Client.Rules;

/// <summary>
/// The rule for channel names: 1–128 characters of ASCII letters, digits, '-', '_', '.', ':'.
/// This file is compiled into the client package and into Gateway.Core (linked, not copied), so producers and the
/// gateway's ingest check names with one piece of code and say the same thing about a bad one.
/// </summary>
internal static class ChannelNameRule
{
    public const int MaxLength = 128;

    public static bool TryValidate([NotNullWhen(true)] string? name, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(name))
        {
            error = "The channel name is empty.";
            return false;
        }

        if (name.Length > MaxLength)
        {
            error = $"The channel name is {name.Length} characters long; at most {MaxLength} are allowed.";
            return false;
        }

        foreach (var c in name)
        {
            if (!IsAllowed(c))
            {
                error = $"The channel name contains {Describe(c)}; only ASCII letters, digits, '-', '_', '.' and ':' are allowed.";
                return false;
            }
        }

        error = null;
        return true;
    }

    private static bool IsAllowed(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':';

    private static string Describe(char c) =>
        char.IsControl(c) || char.IsWhiteSpace(c) || c > '\u007e'
            ? $"the character U+{(int)c:X4}"
            : $"the character '{c}'";
}
