using Azure.Messaging.ServiceBus;

namespace Gateway.TestBroker.Tests;

/// <summary>Opt-in duplicate detection: a producer's resend with the same MessageId is accepted and dropped, as Service Bus does.</summary>
public sealed class DuplicateDetectionTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_resend_with_the_same_message_id_is_dropped_only_when_detection_is_on()
    {
        foreach (var (window, expected) in new[] { ((TimeSpan?)TimeSpan.FromMinutes(10), 2), (null, 3) })
        {
            await using var fixture = await BrokerFixture.StartAsync(new TestServiceBusBrokerOptions { DuplicateDetectionWindow = window });
            await using var sender = fixture.Client.CreateSender(BrokerFixture.Topic);

            await sender.SendMessageAsync(new ServiceBusMessage("a") { MessageId = "m-1" });
            await sender.SendMessagesAsync([new ServiceBusMessage("a again") { MessageId = "m-1" }, new ServiceBusMessage("b") { MessageId = "m-2" }]);

            Assert.Equal(expected, fixture.Broker.ActiveMessageCount(BrokerFixture.Topic, BrokerFixture.Subscription));
        }
    }
}
