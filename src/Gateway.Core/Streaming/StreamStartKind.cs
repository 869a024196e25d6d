namespace Gateway.Core.Streaming;

/// <summary>The ways a stream can start (see <see cref="StreamStart"/>).</summary>
public enum StreamStartKind
{
    /// <summary>No id: live events only.</summary>
    AtHead,

    /// <summary><c>earliest</c>: every channel from its oldest retained event, without a reset.</summary>
    Earliest,

    /// <summary>After the positions of an id.</summary>
    After,

    /// <summary>
    /// A multi-channel stream's id for other channels: a <c>channels-mismatch</c> reset, then every channel from its
    /// oldest retained event.
    /// </summary>
    Mismatch,
}
