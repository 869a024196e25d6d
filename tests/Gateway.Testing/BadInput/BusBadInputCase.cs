using System.Text;

namespace Gateway.Testing.BadInput;

/// <summary>
/// One Service Bus case of the bad-input corpus: a message a producer could send to the ingest topic, and the
/// dead-letter reason (and words of its description) the gateway must give it.
/// </summary>
public sealed record BusBadInputCase
{
    public required string Id { get; init; }

    public string? Why { get; init; }

    /// <summary>The <c>channel</c> application property: a string, or see <see cref="ChannelKind"/>.</summary>
    public string? Channel { get; init; }

    /// <summary><c>string</c> (default), <c>absent</c>, <c>null</c>, <c>int</c>, <c>bool</c>, <c>guid</c>: what type the property has.</summary>
    public string ChannelKind { get; init; } = "string";

    /// <summary>The message's <c>Subject</c> (the event name).</summary>
    public string? Subject { get; init; }

    public string? Body { get; init; }

    public string? BodyBase64 { get; init; }

    public Repeat? BodyRepeat { get; init; }

    /// <summary>The dead-letter reason (<c>InvalidChannel</c>, <c>InvalidEventName</c>, <c>InvalidData</c>).</summary>
    public required string Reason { get; init; }

    /// <summary>Text the dead-letter description must contain.</summary>
    public required string Description { get; init; }

    public override string ToString() => Id;

    public byte[] BodyBytes() =>
        BodyBase64 is { } base64 ? Convert.FromBase64String(base64)
        : BodyRepeat is { } repeat ? Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(repeat.Value, repeat.Count)))
        : Encoding.UTF8.GetBytes(Body ?? "x");

    /// <summary>The channel property's value as the case wants it sent; false when the property is absent.</summary>
    public bool TryGetChannelProperty(out object? value)
    {
        value = ChannelKind switch
        {
            "string" => Channel,
            "null" => null,
            "int" => 42,
            "bool" => true,
            "guid" => Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff"),
            _ => null,
        };
        return ChannelKind != "absent";
    }
}
