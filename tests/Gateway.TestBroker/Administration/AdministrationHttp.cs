using System.Net.Sockets;
using System.Text;
using System.Xml;

namespace Gateway.TestBroker.Administration;

/// <summary>
/// A minimal HTTP/1.1 server loop for the administration client's requests on an accepted socket
/// (keep-alive, Content-Length bodies; the client sends nothing else).
/// </summary>
internal sealed class AdministrationHttp(AtomAdministration atom)
{
    const int MaxHeaderBytes = 64 * 1024;

    public async Task ServeAsync(Socket socket, byte[] prefix, CancellationToken cancellationToken)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var buffered = new List<byte>(prefix);
        while (await ReadRequestAsync(stream, buffered, cancellationToken).ConfigureAwait(false) is { } request)
        {
            HttpResponse response;
            try
            {
                response = atom.Handle(request);
            }
            catch (Exception ex) when (ex is XmlException or FormatException or OverflowException)
            {
                response = new HttpResponse(400);
            }

            await stream.WriteAsync(response.Encode(), cancellationToken).ConfigureAwait(false);
        }
    }

    static async Task<HttpRequest?> ReadRequestAsync(NetworkStream stream, List<byte> buffered, CancellationToken cancellationToken)
    {
        var chunk = new byte[8192];
        int headerEnd;
        while ((headerEnd = IndexOfBlankLine(buffered)) < 0)
        {
            if (buffered.Count > MaxHeaderBytes)
            {
                return null;
            }

            var n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return null;
            }

            buffered.AddRange(chunk.AsSpan(0, n));
        }

        var lines = Encoding.ASCII.GetString(buffered.GetRange(0, headerEnd).ToArray()).Split("\r\n");
        buffered.RemoveRange(0, headerEnd + 4);
        var requestLine = lines[0].Split(' ');
        var headers = lines.Skip(1)
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0].Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last()[1].Trim(), StringComparer.OrdinalIgnoreCase);

        var length = headers.TryGetValue("Content-Length", out var value) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        while (buffered.Count < length)
        {
            var n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return null;
            }

            buffered.AddRange(chunk.AsSpan(0, n));
        }

        var body = Encoding.UTF8.GetString(buffered.GetRange(0, length).ToArray());
        buffered.RemoveRange(0, length);
        var path = requestLine.Length > 1 ? requestLine[1].Split('?', 2)[0] : "/";
        return new HttpRequest(requestLine[0], Uri.UnescapeDataString(path), headers, body);
    }

    static int IndexOfBlankLine(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
