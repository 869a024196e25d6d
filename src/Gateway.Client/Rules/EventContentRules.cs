using System.Diagnostics.CodeAnalysis;
using System.Text.Unicode;

namespace Gateway.Client.Rules;

/// <summary>
/// The rules for an event's name and data, given the limits in force. Compiled into the client package and into
/// Gateway.Core (one source file), so a producer refuses exactly what ingest would dead-letter, with the same words.
/// </summary>
internal static class EventContentRules
{
    /// <summary>The event the gateway sends itself when it cannot resume a client exactly; no publisher may use it.</summary>
    public const string ResetEventName = "reset";

    /// <summary>The gateway's default for <c>Gateway:Events:MaxDataBytes</c>: Table storage holds up to 64 KiB in a binary property.</summary>
    public const int DefaultMaxDataBytes = 64 * 1024;

    /// <summary>The gateway's default for <c>Gateway:Events:MaxEventNameLength</c>.</summary>
    public const int DefaultMaxEventNameLength = 128;

    /// <summary>Names the gateway sends itself, compared ordinally as browsers dispatch them (<c>Reset</c> is another event).</summary>
    public static IReadOnlySet<string> ReservedEventNames { get; } = new HashSet<string>(StringComparer.Ordinal) { ResetEventName };

    public static bool TryValidateEventName(string? eventName, int maxLength, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (eventName is null)
        {
            return true;
        }

        if (eventName.Length == 0)
        {
            error = "The event name is empty; omit it to send a default 'message' event.";
            return false;
        }

        if (eventName.Length > maxLength)
        {
            error = $"The event name is {eventName.Length} characters long; at most {maxLength} are allowed.";
            return false;
        }

        if (eventName.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            error = "The event name contains CR, LF or NUL, which cannot be carried in an SSE 'event' field.";
            return false;
        }

        if (!IsWellFormed(eventName))
        {
            error = "The event name is not well-formed Unicode.";
            return false;
        }

        if (ReservedEventNames.Contains(eventName))
        {
            error = $"The event name '{eventName}' is reserved for the gateway's own events.";
            return false;
        }

        return true;
    }

    public static bool TryValidateData(ReadOnlySpan<byte> data, int maxBytes, [NotNullWhen(false)] out string? error)
    {
        if (data.Length > maxBytes)
        {
            error = $"The event data is {data.Length} bytes; at most {maxBytes} are allowed.";
            return false;
        }

        if (!Utf8.IsValid(data))
        {
            error = "The event data is not valid UTF-8.";
            return false;
        }

        error = null;
        return true;
    }

    private static bool IsWellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return false;
            }
        }

        return true;
    }
}
