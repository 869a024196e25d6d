using System.Diagnostics;
using Azure.Messaging.ServiceBus;
using Gateway.TestBroker;

namespace Gateway.Benchmarks.ServiceBus;

/// <summary>
/// The Service Bus client alone through the same broker: sender → topic → subscription → a peek-lock receiver that
/// reads as the gateway's fan-out receiver does (one message per call from a prefetch buffer; batches in a burst)
/// and completes after it has noted the receipt.
/// </summary>
internal sealed class RawClientPath : IDeliveryPath
{
    public const string Topic = "raw";
    private const string Subscription = "raw";
    private const int Prefetch = 100;

    private readonly ServiceBusClient _client;
    private readonly ServiceBusReceiver _receiver;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;
    private volatile DeliveryRecorder? _recorder;
    private volatile bool _burst;

    public RawClientPath(TestServiceBusBroker broker)
    {
        broker.CreateTopic(Topic);
        broker.CreateSubscription(Topic, Subscription);
        _client = new ServiceBusClient(broker.ConnectionString);
        Sender = _client.CreateSender(Topic);
        _receiver = _client.CreateReceiver(Topic, Subscription, new ServiceBusReceiverOptions { PrefetchCount = Prefetch });
        _receiving = Task.Run(ReceiveAsync);
    }

    public string Name => "raw client send → receive";

    public ServiceBusSender Sender { get; }

    public ServiceBusMessage Message(string body) => new(body);

    public void RecordInto(DeliveryRecorder recorder, bool burst)
    {
        _burst = burst;
        _recorder = recorder;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _receiving;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        await _receiver.DisposeAsync();
        await Sender.DisposeAsync();
        await _client.DisposeAsync();
        _stop.Dispose();
    }

    private async Task ReceiveAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var messages = await _receiver.ReceiveMessagesAsync(_burst ? Prefetch : 1, TimeSpan.FromSeconds(1), _stop.Token);
            var now = Stopwatch.GetTimestamp();
            foreach (var message in messages)
            {
                _recorder?.Received(message.Body.ToString(), now);
            }

            await Task.WhenAll(messages.Select(m => _receiver.CompleteMessageAsync(m, _stop.Token)));
        }
    }
}
