using System.Globalization;
using System.Text;

namespace Gateway.Testing.BadInput;

/// <summary>
/// One HTTP case of the bad-input corpus (<c>corpus.json</c>): a request, written as data so that both hosts (the
/// server, and the Functions app's pipeline) are sent exactly the same bytes, and what the answer must be.
/// </summary>
public sealed record HttpBadInputCase
{
    public required string Id { get; init; }

    /// <summary>What the case probes, and why the expected answer is right.</summary>
    public string? Why { get; init; }

    /// <summary>Only the server host answers this itself: on Functions the platform (its front end and host) answers first.</summary>
    public bool ServerOnly { get; init; }

    public string Method { get; init; } = "GET";

    /// <summary>The request target, sent as written (percent-encoding and all).</summary>
    public required string Target { get; init; }

    /// <summary>Header lines as [name, value] pairs, in order; a name may repeat. Values may hold any char up to U+00FF (sent as that byte).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Headers { get; init; } = [];

    /// <summary>Many headers: <c>Name</c> (with <c>{i}</c> replaced by 0, 1, …) and <c>Value</c>, <c>Count</c> times.</summary>
    public Repeat? RepeatHeader { get; init; }

    /// <summary>Many query parameters appended to the target, as <see cref="RepeatHeader"/>.</summary>
    public Repeat? RepeatQuery { get; init; }

    public string? Body { get; init; }

    public string? BodyBase64 { get; init; }

    /// <summary>A body of <c>Value</c> repeated <c>Count</c> times.</summary>
    public Repeat? BodyRepeat { get; init; }

    /// <summary>Send the body with <c>Transfer-Encoding: chunked</c> (no length up front).</summary>
    public bool Chunked { get; init; }

    /// <summary>The <c>Content-Length</c> to declare, when it is not the body's length (a raw header value: may be malformed).</summary>
    public string? ContentLength { get; init; }

    public RawStall Stall { get; init; }

    public required HttpExpectation Expect { get; init; }

    public override string ToString() => Id;

    public byte[] BodyBytes() =>
        BodyBase64 is { } base64 ? Convert.FromBase64String(base64)
        : BodyRepeat is { } repeat ? Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(repeat.Value, repeat.Count)))
        : Body is { } text ? Encoding.UTF8.GetBytes(text)
        : [];

    /// <summary>The request line and headers (CRLF after each line, no blank line), and the body bytes as sent.</summary>
    public (string Head, byte[] Body) Build()
    {
        var target = Target;
        if (RepeatQuery is { } query)
        {
            var pairs = Enumerable.Range(0, query.Count).Select(i => $"{Expand(query.Name, i)}={Expand(query.Value, i)}");
            target += (target.Contains('?', StringComparison.Ordinal) ? "&" : "?") + string.Join('&', pairs);
        }

        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"{Method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        foreach (var header in Headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{header[0]}: {header[1]}\r\n");
        }

        if (RepeatHeader is { } many)
        {
            for (var i = 0; i < many.Count; i++)
            {
                head.Append(CultureInfo.InvariantCulture, $"{Expand(many.Name, i)}: {Expand(many.Value, i)}\r\n");
            }
        }

        var body = BodyBytes();
        if (Chunked)
        {
            head.Append("Transfer-Encoding: chunked\r\n");
            body = ChunkFrame(body);
        }
        else if (ContentLength is not null || body.Length > 0 || Method is "POST" or "PUT")
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {ContentLength ?? body.Length.ToString(CultureInfo.InvariantCulture)}\r\n");
        }

        return (head.ToString(), body);
    }

    private static string Expand(string template, int i) => template.Replace("{i}", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static byte[] ChunkFrame(byte[] body)
    {
        var framed = new MemoryStream();
        foreach (var chunk in body.Chunk(1000))
        {
            framed.Write(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"));
            framed.Write(chunk);
            framed.Write("\r\n"u8);
        }

        framed.Write("0\r\n\r\n"u8);
        return framed.ToArray();
    }
}
