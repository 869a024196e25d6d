using Azure.Messaging.ServiceBus;
using Gateway.Core.Bus;
using Microsoft.Extensions.Options;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// HTTP publish in Azure mode: the event is sent to the ingest topic exactly as an SDK producer would send it,
/// so every event reaches the log by one path (ingest) and HTTP gets the bus's durability. The send is durable when
/// it completes, so the publish is acknowledged then (its id is assigned later, at ingest).
/// </summary>
public sealed class ServiceBusEventBus(ServiceBusClient client, IOptions<ServiceBusTransportOptions> options) : IEventBus, IAsyncDisposable
{
    private readonly ServiceBusSender _sender = client.CreateSender(options.Value.Topic);

    public async Task<PublishReceipt> PublishAsync(string channel, string? eventName, ReadOnlyMemory<byte> data, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var message = IngestMessage.Create(channel, eventName, data);
        if (idempotencyKey is not null)
        {
            // The producers' rule: a resend keeps its MessageId, and the topic's duplicate detection drops it. The
            // MessageId is a hash of channel and key (a key is scoped to its channel, duplicate detection to the topic),
            // the same one the client package's producer helper makes from the same key.
            message.MessageId = IdempotencyKey.MessageIdOf(channel, idempotencyKey);
        }

        await _sender.SendMessageAsync(message, cancellationToken);
        return PublishReceipt.Queued;
    }

    public ValueTask DisposeAsync() => _sender.DisposeAsync();
}
