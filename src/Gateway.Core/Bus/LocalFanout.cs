using Gateway.Core.Events;
using Gateway.Core.Hub;

namespace Gateway.Core.Bus;

/// <summary>The fan-out of a single instance: committed events go straight to this process's hub.</summary>
public sealed class LocalFanout(EventHub hub) : IEventFanout
{
    public Task PublishAsync(IReadOnlyList<ChannelEvent> events, CancellationToken cancellationToken)
    {
        foreach (var e in events)
        {
            hub.Publish(e);
        }

        return Task.CompletedTask;
    }
}
