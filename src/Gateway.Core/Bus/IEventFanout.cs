using Gateway.Core.Events;

namespace Gateway.Core.Bus;

/// <summary>
/// Carries committed events to the hub of every gateway instance. It may repeat or reorder events:
/// stream sessions drop offsets they have passed and fill gaps from the log.
/// </summary>
public interface IEventFanout
{
    Task PublishAsync(IReadOnlyList<ChannelEvent> events, CancellationToken cancellationToken);
}
