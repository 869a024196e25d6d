using System.Text;
using CsCheck;
using Gateway.Testing;
using Gateway.Testing.Hosting;

namespace Gateway.Tests.Http;

/// <summary>Arbitrary event data and names survive publish over HTTP → the gateway's framing → <c>SseParser</c> on a real stream.</summary>
public sealed class FramingRoundTripTests
{
    // Pieces chosen to stress SSE framing: every line ending, empty lines, leading spaces (the parser strips one
    // after the colon), colons (comment and field syntax), NUL, a BOM, field names, and characters beyond the BMP.
    private static readonly string[] Tricky =
    [
        "\r", "\n", "\r\n", "\n\n", "\r\r", " ", "  ", ":", ": ", "\0", "\t", "\uFEFF", "\u2028", "\u0085",
        "data:", "id: 1", "event: x", "retry: 1", "\ud83d\ude00", "\ud83d\udc4d\ud83c\udffd", "\u00e9", "\u4e2d\u6587", "\u05e9\u05dc\u05d5\u05dd",
    ];

    private static readonly Gen<string> Piece = Gen.Frequency(
        (3, Gen.OneOf(Tricky)),
        (2, Gen.Char['\u0020', '\u007e'].Array[0, 8].Select(c => new string(c))),
        (1, Gen.Int['\u00a0', '\ud7ff'].Select(c => ((char)c).ToString())),
        (1, Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32)));

    private static readonly Gen<string> Data = Piece.Array[0, 12].Select(p => string.Concat(p));

    // Event names: anything an SSE event field can carry (no CR, LF, NUL), or none for the default 'message'.
    private static readonly Gen<string?> EventName = Gen.Frequency(
        (1, Gen.Const<string?>((string?)null)),
        (3, Piece.Array[1, 6]
            .Select(p => string.Concat(p).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Replace("\0", "", StringComparison.Ordinal))
            .Where(n => n.Length is > 0 and <= 128)
            .Select(n => (string?)n)));

    [Fact]
    public async Task Data_event_name_and_id_survive_the_round_trip()
    {
        await using var host = await GatewayTestHost.StartAsync();
        await using var stream = await host.OpenStreamAsync("roundtrip");
        await Waits.UntilAsync(() => host.Hub.SubscriberCount == 1, Waits.Item, "the stream to subscribe");
        var offset = 0L;
        string? epoch = null;

        await Gen.Select(Data, EventName).SampleAsync(async (data, name) =>
        {
            await host.PublishAsync("roundtrip", data, name);
            var item = await stream.NextAsync();
            offset++;
            epoch ??= await host.WaitForHeadAsync("roundtrip", offset);

            // The SSE spec makes CR, LF and CRLF all line ends, and the parser joins data lines with LF:
            // so the data arrives with every line ending normalised to LF, and otherwise byte for byte.
            var expected = data.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
            Assert.Equal(expected, item.Data);
            Assert.Equal(name ?? "message", item.EventType);
            Assert.Equal($"{epoch}-{offset}", item.EventId);
        }, iter: 100, threads: 1, print: t => $"data={Escape(t.Item1)} event={(t.Item2 is null ? "null" : Escape(t.Item2))}");
    }

    private static string Escape(string s)
    {
        var b = new StringBuilder("\"");
        foreach (var c in s)
        {
            b.Append(c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return b.Append('"').ToString();
    }
}
