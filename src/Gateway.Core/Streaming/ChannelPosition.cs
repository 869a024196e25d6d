using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Gateway.Core.Events;

namespace Gateway.Core.Streaming;

/// <summary>One channel's place in a <see cref="CompositePosition"/>: an epoch and offset, or no log yet (epoch null, offset 0).</summary>
public readonly record struct ChannelPosition(string? Epoch, long Offset)
{
    public static ChannelPosition From(EventPosition position) => new(position.Epoch, position.Offset);

    public void AppendTo(StringBuilder text)
    {
        if (Epoch is null)
        {
            text.Append(CompositePosition.NoLogToken);
        }
        else
        {
            text.Append(Epoch).Append('-').Append(Offset.ToString(CultureInfo.InvariantCulture));
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        AppendTo(text);
        return text.ToString();
    }

    public static bool TryParse(string token, out ChannelPosition position, [NotNullWhen(false)] out string? error)
    {
        if (token == CompositePosition.NoLogToken)
        {
            position = new ChannelPosition(null, 0);
            error = null;
            return true;
        }

        if (EventPosition.TryParse(token, out var parsed, out error))
        {
            position = From(parsed);
            return true;
        }

        position = default;
        return false;
    }
}
