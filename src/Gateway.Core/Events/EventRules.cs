using System.Diagnostics.CodeAnalysis;
using System.Text.Unicode;
using Gateway.Core.Options;

namespace Gateway.Core.Events;

/// <summary>
/// The rules an event must meet before it may enter a log, shared by the HTTP publish endpoint and every
/// ingest path so that a bad event is refused the same way wherever it comes from.
/// </summary>
public sealed class EventRules(EventOptions options)
{
    public int MaxDataBytes => options.MaxDataBytes;

    public bool TryValidateEventName(string? eventName, [NotNullWhen(false)] out string? error)
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

        if (eventName.Length > options.MaxEventNameLength)
        {
            error = $"The event name is {eventName.Length} characters long; at most {options.MaxEventNameLength} are allowed.";
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

    public bool TryValidateData(ReadOnlySpan<byte> data, [NotNullWhen(false)] out string? error)
    {
        if (data.Length > options.MaxDataBytes)
        {
            error = $"The event data is {data.Length} bytes; at most {options.MaxDataBytes} are allowed.";
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
