namespace Gateway.Testing.BadInput;

/// <summary>A response as it came off the wire: status, headers (names lower-cased, repeats joined) and body.</summary>
/// <param name="Status">The status code, or 0 when the server closed the connection without answering.</param>
public sealed record RawHttpResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public static readonly RawHttpResponse NoAnswer = new(0, new Dictionary<string, string>(), "");

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;

    /// <summary>The media type of <c>Content-Type</c>, without parameters.</summary>
    public string? MediaType => Header("content-type")?.Split(';')[0].Trim();
}
