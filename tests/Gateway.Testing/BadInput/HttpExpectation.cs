using System.Text.Json;

namespace Gateway.Testing.BadInput;

/// <summary>What the answer to an <see cref="HttpBadInputCase"/> must be.</summary>
public sealed record HttpExpectation
{
    /// <summary>A status code (<c>"400"</c>), a class (<c>"2xx"</c>: a valid request, any success), or <c>"none"</c> (the connection ends unanswered).</summary>
    public required string Status { get; init; }

    /// <summary>The problem's <c>title</c>, when the gateway answers.</summary>
    public string? Title { get; init; }

    /// <summary>Text the problem's <c>detail</c> must contain.</summary>
    public string? Detail { get; init; }

    /// <summary>A header the answer must carry, as [name, value].</summary>
    public IReadOnlyList<string>? Header { get; init; }

    /// <summary>
    /// Kestrel answers before any application code runs (malformed framing, 408, 414, 431): no problem body is
    /// possible there, so only the status is checked.
    /// </summary>
    public bool Framework { get; init; }

    /// <summary>Null when <paramref name="response"/> is what this expects, otherwise what is wrong with it.</summary>
    public string? Check(RawHttpResponse response)
    {
        var said = $"{response.Status} {response.MediaType}: {Shorten(response.Body)}";
        var statusOk = Status switch
        {
            "2xx" => response.Status is >= 200 and < 300,
            "none" => response.Status == 0,
            _ => response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) == Status,
        };
        if (!statusOk)
        {
            return $"expected {Status}, got {said}";
        }

        if (Header is [var name, var value] && response.Header(name) != value)
        {
            return $"expected header {name}: {value}, got '{response.Header(name)}'";
        }

        if (Framework || response.Status < 400)
        {
            return null;
        }

        if (response.MediaType != "application/problem+json")
        {
            return $"expected application/problem+json, got {said}";
        }

        try
        {
            using var problem = JsonDocument.Parse(response.Body);
            var root = problem.RootElement;
            if (root.GetProperty("status").GetInt32() != response.Status)
            {
                return $"the problem's status differs from the response's: {said}";
            }

            if (Title is not null && root.GetProperty("title").GetString() != Title)
            {
                return $"expected title '{Title}', got {said}";
            }

            var detail = root.TryGetProperty("detail", out var d) ? d.GetString() : null;
            if (string.IsNullOrWhiteSpace(detail))
            {
                return $"the problem has no detail: {said}";
            }

            if (Detail is not null && !detail.Contains(Detail, StringComparison.Ordinal))
            {
                return $"expected the detail to mention '{Detail}', got {said}";
            }

            if (detail.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            {
                return $"the detail echoes a control character: {said}";
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"the body is not a problem document ({ex.Message}): {said}";
        }

        return null;
    }

    private static string Shorten(string body) => body.Length <= 300 ? body : body[..300] + "…";
}
