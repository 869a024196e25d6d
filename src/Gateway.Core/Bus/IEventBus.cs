namespace Gateway.Core.Bus;

/// <summary>
/// The producer side: where a published event goes before it is ingested into the log. Every event takes
/// this path (HTTP publish included), so ingest is the only writer of the log in every mode.
/// </summary>
public interface IEventBus
{
    /// <summary>
    /// Hands the event to the bus and completes once it can no longer be lost: appended to the log (the embedded
    /// bus, whose queue dies with the process) or durably queued (Service Bus). The receipt says which.
    /// </summary>
    /// <param name="channel">A valid channel name.</param>
    /// <param name="eventName">The SSE event name, or null for the default <c>message</c>.</param>
    /// <param name="data">The event's data, valid UTF-8.</param>
    /// <param name="idempotencyKey">
    /// The publisher's key for this event (see <see cref="IdempotencyKey"/>), or null. Events with the same key in one
    /// channel are appended once.
    /// </param>
    /// <param name="cancellationToken">The publisher gave up waiting; a queued event may still be appended.</param>
    /// <exception cref="EventBusClosedException">The host is stopping and takes no more events.</exception>
    Task<PublishReceipt> PublishAsync(string channel, string? eventName, ReadOnlyMemory<byte> data, string? idempotencyKey, CancellationToken cancellationToken);
}
