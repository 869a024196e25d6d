namespace Gateway.Core.Options;

/// <summary>Limits on published events. Bound from <c>Gateway:Events</c>.</summary>
public sealed class EventOptions
{
    public const string SectionName = "Gateway:Events";

    /// <summary>The largest event data accepted, in UTF-8 bytes. Table storage holds up to 64 KiB in a binary property.</summary>
    public int MaxDataBytes { get; set; } = 64 * 1024;

    public int MaxEventNameLength { get; set; } = 128;
}
