using Gateway.Core.Events;

namespace Gateway.Core.Bus;

/// <summary>
/// What a bus can say about a published event once <see cref="IEventBus.PublishAsync"/> returns: either it is in
/// the log (<see cref="Position"/> set: the embedded bus waits for the append), or it is only durably queued and
/// gets its id at ingest (<see cref="Position"/> null: Service Bus). <see cref="AppendedBefore"/> says that the
/// publish repeated an idempotency key whose event was already in the log, at <see cref="Position"/>.
/// </summary>
public sealed record PublishReceipt(EventPosition? Position, bool AppendedBefore = false)
{
    /// <summary>Durably queued; the id is assigned later, at ingest.</summary>
    public static PublishReceipt Queued { get; } = new(Position: null);
}
