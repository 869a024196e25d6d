using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace Gateway.Core.Http;

/// <summary>
/// Looks at a query parameter as the client sent it. ASP.NET Core decodes invalid UTF-8 in percent-encoding to
/// U+FFFD, which would publish an event name the client never sent; this tells that apart from a real U+FFFD.
/// </summary>
internal static class RawQuery
{
    /// <summary>False when any value of <paramref name="name"/> percent-decodes to bytes that are not valid UTF-8.</summary>
    public static bool IsUtf8(QueryString query, string name)
    {
        var text = query.Value.AsSpan();
        if (text.StartsWith("?"))
        {
            text = text[1..];
        }

        foreach (var range in text.Split('&'))
        {
            var pair = text[range];
            var equals = pair.IndexOf('=');
            var key = equals < 0 ? pair : pair[..equals];
            if (equals >= 0 && Uri.UnescapeDataString(key.ToString()) == name && !Utf8.IsValid(PercentDecode(pair[(equals + 1)..])))
            {
                return false;
            }
        }

        return true;
    }

    private static byte[] PercentDecode(ReadOnlySpan<char> value)
    {
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 2 < value.Length && Uri.IsHexDigit(value[i + 1]) && Uri.IsHexDigit(value[i + 2]))
            {
                bytes.Add((byte)Convert.ToInt32(value.Slice(i + 1, 2).ToString(), 16));
                i += 2;
            }
            else
            {
                bytes.Add(value[i] == '+' ? (byte)' ' : (byte)value[i]);
            }
        }

        return [.. bytes];
    }
}
