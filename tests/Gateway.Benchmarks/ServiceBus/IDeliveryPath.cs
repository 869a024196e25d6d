using Azure.Messaging.ServiceBus;

namespace Gateway.Benchmarks.ServiceBus;

/// <summary>A way from a producer's <see cref="ServiceBusSender"/> to a consumer in this process, measured with a <see cref="DeliveryRecorder"/>.</summary>
internal interface IDeliveryPath : IAsyncDisposable
{
    string Name { get; }

    ServiceBusSender Sender { get; }

    /// <summary>The message a producer sends on this path for <paramref name="body"/>.</summary>
    ServiceBusMessage Message(string body);

    /// <summary>From now on every received body goes to <paramref name="recorder"/>; <paramref name="burst"/> lets the consumer take batches.</summary>
    void RecordInto(DeliveryRecorder recorder, bool burst);
}
