namespace Gateway.Core.Bus;

/// <summary>
/// The producer side: where a published event goes before it is ingested into the log. Every event takes
/// this path (HTTP publish included), so ingest is the only writer of the log in every mode.
/// </summary>
public interface IEventBus
{
    /// <summary>Hands the event to the bus; it is durable (or, embedded, queued) when this completes.</summary>
    Task PublishAsync(string channel, string? eventName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}
