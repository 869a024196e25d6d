using Azure.Messaging.ServiceBus;

namespace Gateway.TestBroker.Tests;

/// <summary>
/// One message per receive call with a small prefetch, as the gateway's fan-out receiver reads. Messages come in
/// bursts with pauses longer than the receive wait, so calls return empty and the next call repeats the client's
/// last flow while its credit is outstanding: the broker must keep that credit (it once dropped it and the
/// receiver stalled part-way).
/// </summary>
public sealed class PrefetchReceiveTests
{
    const int Bursts = 30;
    const int BurstSize = 10;
    const int MessageCount = Bursts * BurstSize;
    static readonly TimeSpan ReceiveWait = TimeSpan.FromMilliseconds(100);
    static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(150);

    [Theory(Timeout = 60_000)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Every_message_arrives_when_received_one_per_call(int prefetchCount)
    {
        await using var fixture = await BrokerFixture.StartAsync();
        await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);
        await using var receiver = fixture.Client.CreateReceiver(
            BrokerFixture.Topic, BrokerFixture.Subscription, new ServiceBusReceiverOptions { PrefetchCount = prefetchCount });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(50));
        var sending = SendInBurstsAsync(sender, timeout.Token);

        var bodies = new List<string>();
        while (bodies.Count < MessageCount && !timeout.IsCancellationRequested)
        {
            // A stalled receiver gets nothing more here; the loop then ends at the timeout with the count short.
            var message = await receiver.ReceiveMessageAsync(ReceiveWait, CancellationToken.None);
            if (message is not null)
            {
                bodies.Add(message.Body.ToString());
                await receiver.CompleteMessageAsync(message, CancellationToken.None);
            }
        }

        await sending;
        Assert.Equal(Enumerable.Range(0, MessageCount).Select(i => $"m-{i}"), bodies);
        Assert.Equal(0, fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, BrokerFixture.Subscription));
    }

    static async Task SendInBurstsAsync(ServiceBusSender sender, CancellationToken cancellationToken)
    {
        for (var burst = 0; burst < Bursts; burst++)
        {
            for (var i = 0; i < BurstSize; i++)
            {
                await sender.SendMessageAsync(new ServiceBusMessage($"m-{(burst * BurstSize) + i}"), cancellationToken);
            }

            await Task.Delay(Pause, cancellationToken);
        }
    }
}
