using System.Text;

namespace Gateway.Functions.Tests;

/// <summary>One SSE frame as it came over the wire: its field lines (comments included), without the blank line.</summary>
internal sealed record SseFrame(IReadOnlyList<string> Lines)
{
    public string? Id => Field("id");

    public string? Event => Field("event");

    public string? Data => Field("data");

    public bool IsRetryOnly => Lines.Count == 1 && Lines[0].StartsWith("retry:", StringComparison.Ordinal);

    public bool IsComment => Lines.All(l => l.StartsWith(':'));

    public bool IsEvent => Data is not null;

    private string? Field(string name) =>
        Lines.Where(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Select(l => l[(name.Length + 1)..].TrimStart(' ')).LastOrDefault();
}

/// <summary>Reads raw frames (not a parser that hides <c>retry:</c> and comments), so tests see exactly what was sent.</summary>
internal sealed class SseFrameReader(Stream body) : IDisposable
{
    private readonly StreamReader _reader = new(body, Encoding.UTF8);

    /// <summary>The next frame, or null when the server completed the response.</summary>
    public async Task<SseFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                lines.Add(line);
            }
            else if (lines.Count > 0)
            {
                return new SseFrame(lines);
            }
        }

        Assert.True(lines.Count == 0, $"The stream ended inside a frame: {string.Join(" | ", lines)}");
        return null;
    }

    /// <summary>Frames until the one that matches (returned last), failing if the stream ends first.</summary>
    public async Task<List<SseFrame>> ReadUntilAsync(Func<SseFrame, bool> match, CancellationToken cancellationToken)
    {
        var frames = new List<SseFrame>();
        while (await ReadAsync(cancellationToken) is { } frame)
        {
            frames.Add(frame);
            if (match(frame))
            {
                return frames;
            }
        }

        Assert.Fail($"The stream ended before the expected frame; it sent: {string.Join(" / ", frames.Select(f => string.Join(" | ", f.Lines)))}");
        return frames;
    }

    /// <summary>Every frame until the server completes the response.</summary>
    public async Task<List<SseFrame>> ReadToEndAsync(CancellationToken cancellationToken)
    {
        var frames = new List<SseFrame>();
        while (await ReadAsync(cancellationToken) is { } frame)
        {
            frames.Add(frame);
        }

        return frames;
    }

    public void Dispose() => _reader.Dispose();
}
