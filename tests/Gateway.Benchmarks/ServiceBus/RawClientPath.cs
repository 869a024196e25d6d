using System.Diagnostics;
using Azure.Messaging.ServiceBus;
using Gateway.TestBroker;

namespace Gateway.Benchmarks.ServiceBus;

/// <summary>
/// The Service Bus client alone through the same broker, over one or more hops: sender → topic → subscription → a
/// peek-lock receiver that reads as the gateway's fan-out receiver does (one message per call from a prefetch buffer;
/// batches in a burst). Between hops a relay forwards each body to the next topic before it completes; the last
/// receiver notes the receipt. Two hops are the floor under the gateway's path, which crosses the broker twice
/// (ingest topic, then fan-out topic).
/// </summary>
internal sealed class RawClientPath : IDeliveryPath
{
    private const string Subscription = "raw";
    private const int Prefetch = 100;

    private readonly ServiceBusClient _client;
    private readonly ServiceBusReceiver[] _receivers;
    private readonly ServiceBusSender[] _forwards;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;
    private volatile DeliveryRecorder? _recorder;
    private volatile bool _burst;

    public RawClientPath(TestServiceBusBroker broker, int hops)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hops, 1);
        var topics = Enumerable.Range(1, hops).Select(hop => $"raw-hop{hop}-of{hops}").ToArray();
        foreach (var topic in topics)
        {
            broker.CreateTopic(topic);
            broker.CreateSubscription(topic, Subscription);
        }

        _client = new ServiceBusClient(broker.ConnectionString);
        Sender = _client.CreateSender(topics[0]);
        _receivers = [.. topics.Select(t => _client.CreateReceiver(t, Subscription, new ServiceBusReceiverOptions { PrefetchCount = Prefetch }))];
        _forwards = [.. topics.Skip(1).Select(_client.CreateSender)];
        Name = hops == 1 ? "raw client send → receive" : $"raw client {hops} hops (send → receive → send → … → receive)";
        _loops = [.. _receivers.Select((receiver, hop) => Task.Run(() => ReceiveAsync(receiver, hop < _forwards.Length ? _forwards[hop] : null)))];
    }

    public string Name { get; }

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
        foreach (var loop in _loops)
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

        foreach (var receiver in _receivers)
        {
            await receiver.DisposeAsync();
        }

        foreach (var forward in _forwards)
        {
            await forward.DisposeAsync();
        }

        await Sender.DisposeAsync();
        await _client.DisposeAsync();
        _stop.Dispose();
    }

    /// <param name="receiver">This hop's receiver.</param>
    /// <param name="forward">The next hop's sender, or null on the last hop, which records the receipt.</param>
    private async Task ReceiveAsync(ServiceBusReceiver receiver, ServiceBusSender? forward)
    {
        while (!_stop.IsCancellationRequested)
        {
            var messages = await receiver.ReceiveMessagesAsync(_burst ? Prefetch : 1, TimeSpan.FromSeconds(1), _stop.Token);
            if (messages.Count == 0)
            {
                continue;
            }

            if (forward is not null)
            {
                // Forwarded before completing: a relay settles a message only once its copy is on the next topic.
                await forward.SendMessagesAsync(messages.Select(m => new ServiceBusMessage(m.Body)), _stop.Token);
            }
            else
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var message in messages)
                {
                    _recorder?.Received(message.Body.ToString(), now);
                }
            }

            await Task.WhenAll(messages.Select(m => receiver.CompleteMessageAsync(m, _stop.Token)));
        }
    }
}
