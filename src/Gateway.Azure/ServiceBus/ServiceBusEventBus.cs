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
            // The producers' rule: a resend keeps its MessageId, and the topic's duplicate detection drops it.
            message.MessageId = MessageIdOf(channel, idempotencyKey);
        }

        await _sender.SendMessageAsync(message, cancellationToken);
        return PublishReceipt.Queued;
    }

    /// <summary>
    /// A MessageId for a key: a hash of channel and key, because a key is scoped to its channel (as in the log's dedupe)
    /// while duplicate detection spans the topic, and a MessageId holds at most 128 characters.
    /// </summary>
    internal static string MessageIdOf(string channel, string idempotencyKey)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(channel + "\n" + idempotencyKey));
        return "key-" + Convert.ToHexStringLower(hash);
    }

    public ValueTask DisposeAsync() => _sender.DisposeAsync();
}
