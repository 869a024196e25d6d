namespace Gateway.Core.Streaming;

/// <summary>The ways a multi-channel stream can start (see <see cref="MultiChannelStart"/>).</summary>
public enum MultiChannelStartKind
{
    /// <summary>No id: live events only.</summary>
    AtHead,

    /// <summary><c>earliest</c>: every channel from its oldest retained event, without a reset.</summary>
    Earliest,

    /// <summary>After the positions of an id.</summary>
    After,

    /// <summary>An id for other channels: a <c>channels-mismatch</c> reset, then every channel from its oldest retained event.</summary>
    Mismatch,
}
