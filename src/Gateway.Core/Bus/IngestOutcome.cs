using Gateway.Core.Events;

namespace Gateway.Core.Bus;

public enum IngestStatus
{
    /// <summary>Appended to the log now.</summary>
    Committed,

    /// <summary>Appended by an earlier delivery of the same message; not appended again.</summary>
    Duplicate,

    /// <summary>Breaks a rule; it can never be appended (dead-letter it).</summary>
    Rejected,
}

/// <summary>
/// What ingest did with one incoming message. <paramref name="AppendedAt"/> is where an earlier delivery of a
/// <see cref="IngestStatus.Duplicate"/> was appended, when known.
/// </summary>
public sealed record IngestOutcome(IngestStatus Status, ChannelEvent? Event = null, string? Reason = null, string? Description = null, EventPosition? AppendedAt = null)
{
    /// <summary>Where the message's event is in the log: committed now, or by an earlier delivery; null when unknown or rejected.</summary>
    public EventPosition? Position => Event?.Position ?? AppendedAt;

    public static IngestOutcome Reject(string reason, string description) => new(IngestStatus.Rejected, null, reason, description);
}
