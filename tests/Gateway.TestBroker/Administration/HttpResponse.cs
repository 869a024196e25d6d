namespace Gateway.TestBroker.Administration;

/// <summary>A status code and an optional Atom XML body.</summary>
internal sealed record HttpResponse(int StatusCode, string? Body = null)
{
    public byte[] Encode()
    {
        var body = System.Text.Encoding.UTF8.GetBytes(Body ?? string.Empty);
        var head =
            $"HTTP/1.1 {StatusCode} {Reason(StatusCode)}\r\n" +
            "Content-Type: application/atom+xml;type=entry;charset=utf-8\r\n" +
            $"Content-Length: {body.Length}\r\n\r\n";
        return [.. System.Text.Encoding.ASCII.GetBytes(head), .. body];
    }

    static string Reason(int statusCode) => statusCode switch
    {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        _ => "Status",
    };
}
