using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Gateway.Core.Events;

namespace Gateway.Core.Streaming;

/// <summary>
/// The SSE id of a multi-channel stream: <c>{index}.{list}.{p0}_{p1}_…</c>, e.g. <c>1.k2r9.ab12cd34-7_x9y8z7w6-42</c>.
/// <list type="bullet">
/// <item><c>index</c>: which channel (0-based, in the order of the URL's <c>channel</c> parameters) the event came from,
///   so a page reads it with <c>parseInt(e.lastEventId, 10)</c>; empty in the <c>Last-Event-ID</c> response header.</item>
/// <item><c>list</c>: four base-36 characters hashed from the channel list, so an id from a stream over other channels
///   (or the same ones in another order) is recognised instead of being read as positions in these.</item>
/// <item><c>p0</c>…: each channel's position exactly as its own stream's id (<c>{epoch}-{offset}</c>), or <c>-0</c> for a
///   channel that had no log yet. No channel names: at most 37 bytes per channel, about 12 for a typical one.</item>
/// </list>
/// Only lowercase letters, digits, '.', '_' and '-': no CR, LF or NUL can reach the <c>id</c> field.
/// </summary>
public sealed class CompositePosition
{
    /// <summary>The most bytes one channel's position takes: a 16-character epoch, '-', 19 digits, the '_' separator.</summary>
    public const int MaxBytesPerChannel = EventPosition.MaxEpochLength + 1 + 19 + 1;

    /// <summary>The position of a channel that has no log yet: nothing seen, any epoch that appears starts at offset 0.</summary>
    public const string NoLogToken = "-0";

    private const int ListHashLength = 4;
    private const string Base36 = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static readonly System.Buffers.SearchValues<char> Base36Chars = System.Buffers.SearchValues.Create(Base36);

    private CompositePosition(string listHash, ChannelPosition[] positions)
    {
        ListHash = listHash;
        Positions = positions;
    }

    public string ListHash { get; }

    /// <summary>One position per channel, in the order of the stream's channel list.</summary>
    public IReadOnlyList<ChannelPosition> Positions { get; }

    /// <summary>The longest id this gateway accepts for a stream of at most <paramref name="maxChannels"/> channels.</summary>
    public static int MaxLength(int maxChannels) => 3 + 1 + ListHashLength + 1 + maxChannels * MaxBytesPerChannel;

    /// <summary>Four base-36 characters from an FNV-1a hash of the names in order (names hold no newline).</summary>
    public static string HashOf(IReadOnlyList<string> channels)
    {
        var hash = 2166136261u;
        foreach (var channel in channels)
        {
            foreach (var c in channel)
            {
                hash = (hash ^ c) * 16777619u;
            }

            hash = (hash ^ '\n') * 16777619u;
        }

        var value = hash % (36 * 36 * 36 * 36);
        Span<char> text = stackalloc char[ListHashLength];
        for (var i = ListHashLength - 1; i >= 0; i--)
        {
            text[i] = Base36[(int)(value % 36)];
            value /= 36;
        }

        return new string(text);
    }

    /// <summary>Writes the id: <paramref name="index"/> null for the response header (no event).</summary>
    public static string Format(int? index, string listHash, IReadOnlyList<ChannelPosition> positions)
    {
        var text = new StringBuilder(12 + positions.Count * 14);
        if (index is { } i)
        {
            text.Append(i.ToString(CultureInfo.InvariantCulture));
        }

        text.Append('.').Append(listHash).Append('.');
        for (var p = 0; p < positions.Count; p++)
        {
            if (p > 0)
            {
                text.Append('_');
            }

            positions[p].AppendTo(text);
        }

        return text.ToString();
    }

    /// <summary>
    /// Reads an id. False with an <paramref name="error"/> when it is not an id this gateway could have issued (a
    /// 400); true otherwise, with <paramref name="position"/> null when the id is well formed but does not fit
    /// <paramref name="channels"/> (another channel list, or a single channel's id): the stream then says so with a reset.
    /// </summary>
    public static bool TryParse(string text, IReadOnlyList<string> channels, int maxChannels, out CompositePosition? position, [NotNullWhen(false)] out string? error)
    {
        position = null;
        error = null;
        if (text.Length > MaxLength(maxChannels))
        {
            error = $"The event id is {text.Length} characters long; a stream of at most {maxChannels} channels has ids of at most {MaxLength(maxChannels)}.";
            return false;
        }

        var parts = text.Split('.');
        if (parts.Length == 1 && EventPosition.TryParse(text, out _, out _))
        {
            // A single channel's id: valid, but not for a multi-channel stream.
            return true;
        }

        const string Form = "'{index}.{list}.{epoch}-{offset}_…' that this gateway issues for multi-channel streams";
        if (parts.Length != 3)
        {
            error = $"The event id is not of the form {Form}.";
            return false;
        }

        if (parts[0].Length > 3 || parts[0].AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            error = $"The event id's channel index '{Sanitize(parts[0])}' is not a number of at most 3 digits.";
            return false;
        }

        if (parts[1].Length != ListHashLength || parts[1].AsSpan().ContainsAnyExcept(Base36Chars))
        {
            error = $"The event id's channel-list part '{Sanitize(parts[1])}' is not {ListHashLength} lowercase letters or digits.";
            return false;
        }

        var tokens = parts[2].Split('_');
        var positions = new ChannelPosition[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            if (!ChannelPosition.TryParse(tokens[i], out positions[i], out var tokenError))
            {
                error = $"Position {i} of the event id is not valid: {tokenError}";
                return false;
            }
        }

        if (positions.Length == channels.Count && parts[1] == HashOf(channels))
        {
            position = new CompositePosition(parts[1], positions);
        }

        return true;
    }

    // Only the characters an id may hold are shown back; the rest (control characters too) become '?'.
    private static string Sanitize(string text) =>
        string.Concat(text.Take(16).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '?'));
}
