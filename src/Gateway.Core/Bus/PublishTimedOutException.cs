namespace Gateway.Core.Bus;

/// <summary>
/// The embedded bus could not append a published event within <see cref="Options.InMemoryOptions.AppendTimeout"/>
/// (the log is unreachable or slow). <see cref="Withdrawn"/> tells the publisher which of the two honest answers
/// applies: the event was taken back and will never be appended (publish it again), or ingest already holds it and
/// appends it exactly once when the log is back (a repeat with the same <c>Idempotency-Key</c> is answered with its id).
/// </summary>
public sealed class PublishTimedOutException(bool withdrawn, TimeSpan timeout) : Exception(Describe(withdrawn, timeout))
{
    /// <summary>True: the event was never handed to the log and never will be.</summary>
    public bool Withdrawn { get; } = withdrawn;

    private static string Describe(bool withdrawn, TimeSpan timeout) => withdrawn
        ? $"The event log did not take the event within {timeout.TotalSeconds:0.###} s; it was not appended. Publish it again."
        : $"The event log did not confirm the append within {timeout.TotalSeconds:0.###} s. The event is held and will be appended once the log is back; "
          + "publish it again with the same Idempotency-Key to learn its id (without a key, a repeat is appended as a new event).";
}
