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

/// <summary>What ingest did with one incoming message.</summary>
public sealed record IngestOutcome(IngestStatus Status, ChannelEvent? Event = null, string? Reason = null, string? Description = null)
{
    public static IngestOutcome Reject(string reason, string description) => new(IngestStatus.Rejected, null, reason, description);
}
