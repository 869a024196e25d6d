using System.Text;
using Azure.Messaging.ServiceBus;
using Gateway.TestBroker;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.ServiceBus;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.ServiceBus.Tests;

/// <summary>
/// <c>Gateway:ServiceBus:Sessions</c>: a producer sends in order on several channels while the broker loses deliveries
/// (they are released and redelivered). With sessions every channel's log is its send order; without them the same
/// faults put each lost message behind the newer ones of its channel.
/// </summary>
public sealed class SessionOrderTests
{
    private static readonly string[] Channels = ["alpha", "beta", "gamma"];
    private const int PerChannel = 12;

    // Sequence numbers in the ingest subscription follow the send order (1, 2, ...): these lose their first delivery.
    private static bool LosesFirstDelivery(long sequenceNumber) => sequenceNumber % 5 == 2;

    [Fact]
    public async Task With_sessions_each_channels_log_is_its_send_order_across_lost_and_redelivered_deliveries()
    {
        var lost = new LostDeliveries();
        await using var bus = await BusEnvironment.StartAsync(
            new TestServiceBusBrokerOptions { LoseDelivery = lost.Decide, SessionAcceptWait = TimeSpan.FromMilliseconds(100) },
            sessions: true);
        await using var gateway = await bus.StartGatewayAsync(settings: ("Gateway:ServiceBus:Sessions", "true"));

        await SendInOrderAsync(bus, sessions: true);
        foreach (var channel in Channels)
        {
            await gateway.WaitForHeadAsync(channel, PerChannel);
        }

        await Waits.UntilAsync(() => bus.Broker.ActiveMessageCount(BusEnvironment.Topic, BusEnvironment.Subscription) == 0, Waits.Item, "every message to be settled");
        foreach (var channel in Channels)
        {
            Assert.Equal(SendOrder(channel), await LogOrderAsync(gateway, channel));
        }

        // The faults happened (each lost delivery lost its session, and what the gateway held of it came back).
        Assert.Equal(Enumerable.Range(1, Channels.Length * PerChannel).Count(s => LosesFirstDelivery(s)), lost.Count);
        Assert.Empty(bus.Broker.DeadLetters(BusEnvironment.Topic, BusEnvironment.Subscription));
    }

    [Fact]
    public async Task Without_sessions_the_same_lost_deliveries_come_back_behind_newer_messages()
    {
        // The broker's clock is the test's: a lost delivery's lock lapses only when the test moves it.
        var lockDuration = TimeSpan.FromSeconds(5);
        var brokerTime = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lost = new LostDeliveries();
        await using var bus = await BusEnvironment.StartAsync(new TestServiceBusBrokerOptions
        {
            LockDuration = lockDuration,
            TimeProvider = brokerTime,
            LoseDelivery = lost.Decide,
        });
        await using var gateway = await bus.StartGatewayAsync();

        await SendInOrderAsync(bus, sessions: false);
        var lostCount = Enumerable.Range(1, Channels.Length * PerChannel).Count(s => LosesFirstDelivery(s));
        await Waits.UntilAsync(
            async () => (await Task.WhenAll(Channels.Select(c => gateway.Log.GetHeadAsync(c, CancellationToken.None)))).Sum(h => h.Offset) == Channels.Length * PerChannel - lostCount,
            Waits.Item,
            "every delivered message to be appended");
        await Waits.UntilAsync(() => bus.Broker.ActiveMessageCount(BusEnvironment.Topic, BusEnvironment.Subscription) == lostCount, Waits.Item, "only the lost ones to be left");

        brokerTime.Advance(lockDuration);
        foreach (var channel in Channels)
        {
            await gateway.WaitForHeadAsync(channel, PerChannel);
        }

        // Each exactly once, the lost ones after the rest of their channel (in their own send order).
        foreach (var channel in Channels)
        {
            var sent = SendOrder(channel);
            var lostOfChannel = sent.Where(e => LosesFirstDelivery(SequenceNumberOf(e))).ToList();
            Assert.Equal([.. sent.Except(lostOfChannel), .. lostOfChannel], await LogOrderAsync(gateway, channel));
            Assert.NotEmpty(lostOfChannel);
        }

        Assert.Equal(lostCount, lost.Count);
    }

    /// <summary>Interleaved over the channels, one send at a time, each awaited: the producer's order is unambiguous.</summary>
    private static async Task SendInOrderAsync(BusEnvironment bus, bool sessions)
    {
        for (var i = 1; i <= PerChannel; i++)
        {
            foreach (var channel in Channels)
            {
                var message = BusEnvironment.Event(channel, $"{channel}-{i}");
                message.MessageId = $"{channel}-{i}";
                if (sessions)
                {
                    message.SessionId = channel;
                }

                await bus.Producer.SendMessageAsync(message);
            }
        }
    }

    private static List<string> SendOrder(string channel) => [.. Enumerable.Range(1, PerChannel).Select(i => $"{channel}-{i}")];

    private static long SequenceNumberOf(string data)
    {
        var dash = data.LastIndexOf('-');
        var channelIndex = Array.IndexOf(Channels, data[..dash]);
        var i = int.Parse(data[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return ((i - 1) * Channels.Length) + channelIndex + 1;
    }

    private static async Task<List<string>> LogOrderAsync(GatewayTestHost gateway, string channel)
    {
        var data = new List<string>();
        await foreach (var e in gateway.Log.ReadAfterAsync(channel, 0, CancellationToken.None))
        {
            data.Add(Encoding.UTF8.GetString(e.Data.Span));
        }

        return data;
    }

    /// <summary>The broker's <see cref="TestServiceBusBrokerOptions.LoseDelivery"/>: the first delivery of the chosen messages of the ingest subscription.</summary>
    private sealed class LostDeliveries
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public bool Decide(DeliveryAttempt attempt)
        {
            if (attempt.Entity != $"{BusEnvironment.Topic}/Subscriptions/{BusEnvironment.Subscription}"
                || attempt.EarlierDeliveries != 0
                || !LosesFirstDelivery(attempt.SequenceNumber))
            {
                return false;
            }

            Interlocked.Increment(ref _count);
            return true;
        }
    }
}
