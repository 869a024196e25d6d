using System.Diagnostics;
using Azure.Messaging.ServiceBus;
using Gateway.TestBroker;

namespace Gateway.Benchmarks.ServiceBus;

/// <summary>
/// The floor under the gateway's Service Bus path, which crosses the broker twice (ingest topic, then fan-out topic):
/// the raw client alone doing send → receive → send → receive through the same broker. The middle receiver reads as
/// <see cref="RawClientPath"/> does (one message per call from a prefetch buffer; batches in a burst), forwards each
/// body to the second topic, then completes; the last receiver notes the receipt.
/// </summary>
internal sealed class TwoHopClientPath : IDeliveryPath
{
    private const string FirstTopic = "hop1";
    private const string SecondTopic = "hop2";
    private const string Subscription = "hop";
    private const int Prefetch = 100;

    private readonly ServiceBusClient _client;
    private readonly ServiceBusReceiver _first;
    private readonly ServiceBusSender _forward;
    private readonly ServiceBusReceiver _second;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _relaying;
    private readonly Task _receiving;
    private volatile DeliveryRecorder? _recorder;
    private volatile bool _burst;

    public TwoHopClientPath(TestServiceBusBroker broker)
    {
        foreach (var topic in new[] { FirstTopic, SecondTopic })
        {
            broker.CreateTopic(topic);
            broker.CreateSubscription(topic, Subscription);
        }

        _client = new ServiceBusClient(broker.ConnectionString);
        Sender = _client.CreateSender(FirstTopic);
        _first = _client.CreateReceiver(FirstTopic, Subscription, new ServiceBusReceiverOptions { PrefetchCount = Prefetch });
        _forward = _client.CreateSender(SecondTopic);
        _second = _client.CreateReceiver(SecondTopic, Subscription, new ServiceBusReceiverOptions { PrefetchCount = Prefetch });
        _relaying = Task.Run(RelayAsync);
        _receiving = Task.Run(ReceiveAsync);
    }

    public string Name => "raw client two hops (send → receive → send → receive)";

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
        foreach (var loop in new[] { _relaying, _receiving })
        {
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        await _second.DisposeAsync();
        await _forward.DisposeAsync();
        await _first.DisposeAsync();
        await Sender.DisposeAsync();
        await _client.DisposeAsync();
        _stop.Dispose();
    }

    private async Task RelayAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var messages = await _first.ReceiveMessagesAsync(_burst ? Prefetch : 1, TimeSpan.FromSeconds(1), _stop.Token);
            if (messages.Count == 0)
            {
                continue;
            }

            // Forwarded before completing: a relay settles a message only once its copy is on the next topic.
            await _forward.SendMessagesAsync(messages.Select(m => new ServiceBusMessage(m.Body)), _stop.Token);
            await Task.WhenAll(messages.Select(m => _first.CompleteMessageAsync(m, _stop.Token)));
        }
    }

    private async Task ReceiveAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var messages = await _second.ReceiveMessagesAsync(_burst ? Prefetch : 1, TimeSpan.FromSeconds(1), _stop.Token);
            var now = Stopwatch.GetTimestamp();
            foreach (var message in messages)
            {
                _recorder?.Received(message.Body.ToString(), now);
            }

            await Task.WhenAll(messages.Select(m => _second.CompleteMessageAsync(m, _stop.Token)));
        }
    }
}
