using System.Diagnostics;
using Azure.Messaging.ServiceBus;
using Gateway.Core.Bus;
using Gateway.Core.Events;
using Gateway.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// Publishes committed events to the fan-out topic, where every instance has its own subscription
/// (<see cref="FanoutReceiverService"/>), so a stream on any instance sees events ingested by any other.
/// </summary>
public sealed class ServiceBusFanout(ServiceBusClient client, IOptions<ServiceBusTransportOptions> options) : IEventFanout, IAsyncDisposable
{
    private readonly ServiceBusSender _sender = client.CreateSender(options.Value.FanoutTopic);

    public async Task PublishAsync(IReadOnlyList<ChannelEvent> events, CancellationToken cancellationToken)
    {
        using var activity = GatewayTracing.Source.StartActivity(GatewayTracing.FanoutSend, ActivityKind.Producer);
        activity?.SetTag("messaging.destination.name", options.Value.FanoutTopic);
        activity?.SetTag("messaging.batch.message_count", events.Count);
        var batch = await _sender.CreateMessageBatchAsync(cancellationToken);
        try
        {
            foreach (var e in events)
            {
                var message = FanoutMessage.Create(e);
                if (e.Trace != default)
                {
                    // Each copy continues its own event's trace: this span when it is in that trace, else the
                    // context the event brought (an ingest batch of several producers' traces).
                    MessageTraceContext.Write(message.ApplicationProperties, activity is not null && e.Trace.TraceId == activity.TraceId ? activity.Context : e.Trace);
                }

                if (batch.TryAddMessage(message))
                {
                    continue;
                }

                if (batch.Count > 0)
                {
                    await _sender.SendMessagesAsync(batch, cancellationToken);
                    batch.Dispose();
                    batch = await _sender.CreateMessageBatchAsync(cancellationToken);
                }

                if (!batch.TryAddMessage(message))
                {
                    // Cannot happen within the event size limits (64 KiB data); fail loudly rather than drop it.
                    throw new InvalidOperationException($"The fan-out message of {e.Channel} offset {e.Offset} exceeds the largest message the fan-out topic accepts.");
                }
            }

            if (batch.Count > 0)
            {
                await _sender.SendMessagesAsync(batch, cancellationToken);
            }
        }
        finally
        {
            batch.Dispose();
        }
    }

    public ValueTask DisposeAsync() => _sender.DisposeAsync();
}
