using Azure.Messaging.ServiceBus;
using Gateway.Testing;

namespace Gateway.TestBroker.Tests;

/// <summary>
/// One message per receive call with a small prefetch, as the gateway's fan-out receiver reads. Messages come in
/// bursts, each sent only once the receiver has drained the last one and come back empty, so the next call repeats
/// the client's last flow while its credit is outstanding: the broker must keep that credit (it once dropped it and
/// the receiver stalled part-way, which now fails the wait for the burst).
/// </summary>
public sealed class PrefetchReceiveTests
{
    const int Bursts = 30;
    const int BurstSize = 10;
    const int MessageCount = Bursts * BurstSize;
    static readonly TimeSpan ReceiveWait = TimeSpan.FromMilliseconds(100);

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
        var progress = new ReceiveProgress();
        var sending = SendInBurstsAsync(sender, progress, timeout.Token);

        var bodies = new List<string>();
        while (bodies.Count < MessageCount && !timeout.IsCancellationRequested)
        {
            // A stalled receiver gets nothing more here; the loop then ends at the timeout with the count short.
            var message = await receiver.ReceiveMessageAsync(ReceiveWait, CancellationToken.None);
            if (message is not null)
            {
                bodies.Add(message.Body.ToString());
                await receiver.CompleteMessageAsync(message, CancellationToken.None);
                Interlocked.Increment(ref progress.Received);
            }
            else
            {
                Interlocked.Increment(ref progress.EmptyCalls);
            }
        }

        await sending;
        Assert.Equal(Enumerable.Range(0, MessageCount).Select(i => $"m-{i}"), bodies);
        Assert.Equal(0, fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, BrokerFixture.Subscription));
    }

    static async Task SendInBurstsAsync(ServiceBusSender sender, ReceiveProgress progress, CancellationToken cancellationToken)
    {
        for (var burst = 0; burst < Bursts; burst++)
        {
            for (var i = 0; i < BurstSize; i++)
            {
                await sender.SendMessageAsync(new ServiceBusMessage($"m-{(burst * BurstSize) + i}"), cancellationToken);
            }

            // The next burst only once this one is received and a receive call has come back empty after it.
            var sent = (burst + 1) * BurstSize;
            await Waits.UntilAsync(() => Volatile.Read(ref progress.Received) >= sent, Waits.Item, $"the receiver to get burst {burst + 1}");
            if (sent == MessageCount)
            {
                break;
            }

            var empties = Volatile.Read(ref progress.EmptyCalls);
            await Waits.UntilAsync(() => Volatile.Read(ref progress.EmptyCalls) > empties, Waits.Item, "an empty receive call after the burst");
        }
    }

    /// <summary>What the receive loop has done, for the sender to pace its bursts by.</summary>
    sealed class ReceiveProgress
    {
        public int Received;
        public int EmptyCalls;
    }
}
