namespace Gateway.Core.Log;

/// <summary>The tail of a channel's log: its epoch (null when no log exists yet) and its last offset (0 when empty).</summary>
public readonly record struct LogHead(string? Epoch, long Offset)
{
    public static LogHead Empty => default;

    public bool Exists => Epoch is not null;
}
