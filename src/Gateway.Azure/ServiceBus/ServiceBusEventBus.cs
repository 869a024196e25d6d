using Azure.Messaging.ServiceBus;
using Gateway.Core.Bus;
using Microsoft.Extensions.Options;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// HTTP publish in Azure mode: the event is sent to the ingest topic exactly as an SDK producer would send it,
/// so every event reaches the log by one path (ingest) and HTTP gets the bus's durability.
/// </summary>
public sealed class ServiceBusEventBus(ServiceBusClient client, IOptions<ServiceBusTransportOptions> options) : IEventBus, IAsyncDisposable
{
    private readonly ServiceBusSender _sender = client.CreateSender(options.Value.Topic);

    public Task PublishAsync(string channel, string? eventName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _sender.SendMessageAsync(IngestMessage.Create(channel, eventName, data), cancellationToken);

    public ValueTask DisposeAsync() => _sender.DisposeAsync();
}
