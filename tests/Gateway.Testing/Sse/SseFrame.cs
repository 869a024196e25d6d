using System.Net.ServerSentEvents;
using System.Text;

namespace Gateway.Testing.Sse;

/// <summary>
/// One SSE frame exactly as it came over the wire (its lines up to and including the blank line that ends it), for
/// the framing assertions a parser hides: <c>retry:</c> frames, comments, heartbeats. Its event, if it dispatches
/// one, is read by <see cref="SseParser"/> itself, so field values follow the spec (one space after the colon is
/// stripped, several <c>data:</c> lines join with LF).
/// </summary>
public sealed class SseFrame
{
    private readonly Lazy<SseItem<string>?> _item;

    public SseFrame(string raw)
    {
        Raw = raw;
        // SSE ends lines with CRLF, LF or CR only (not the other Unicode line ends ReplaceLineEndings knows).
        Lines = raw.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n', StringSplitOptions.RemoveEmptyEntries);
        _item = new Lazy<SseItem<string>?>(() => Parse(raw));
    }

    /// <summary>The frame's text, line ends and the closing blank line included.</summary>
    public string Raw { get; }

    /// <summary>The frame's field and comment lines, without line ends.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>The event this frame dispatches, or null (a comment, a lone <c>retry:</c>, an <c>id:</c> without data).</summary>
    public SseItem<string>? Item => _item.Value;

    public bool IsEvent => Item is not null;

    public string? Data => Item?.Data;

    /// <summary>The event type (<c>message</c> when the frame names none), or null when it dispatches no event.</summary>
    public string? Event => Item?.EventType;

    /// <summary>This frame's own <c>id:</c>, or null when it dispatches no event or carries no id.</summary>
    public string? Id => Item?.EventId;

    public bool IsComment => Lines.All(l => l.StartsWith(':'));

    public bool IsRetryOnly => Lines.Count == 1 && Lines[0].StartsWith("retry:", StringComparison.Ordinal);

    public override string ToString() => string.Join(" | ", Lines);

    private static SseItem<string>? Parse(string raw)
    {
        // A parser of its own per frame: the id is this frame's, not one inherited from an earlier frame.
        foreach (var item in SseParser.Create(new MemoryStream(Encoding.UTF8.GetBytes(raw))).Enumerate())
        {
            return item;
        }

        return null;
    }
}
