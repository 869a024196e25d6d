using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;

namespace Gateway.TestBroker.Tests;

public sealed class AdministrationTests
{
    [Fact(Timeout = 30_000)]
    public async Task Administration_client_creates_a_subscription_that_then_receives_messages()
    {
        await using var fixture = await BrokerFixture.StartAsync();
        fixture.Broker.CreateTopic("events-fanout");
        var admin = new ServiceBusAdministrationClient(fixture.Broker.ConnectionString);

        Assert.False(await admin.SubscriptionExistsAsync("events-fanout", "instance-1"));
        var created = await admin.CreateSubscriptionAsync(new CreateSubscriptionOptions("events-fanout", "instance-1")
        {
            AutoDeleteOnIdle = TimeSpan.FromMinutes(5),
        });
        Assert.Equal("instance-1", created.Value.SubscriptionName);
        Assert.Equal(TimeSpan.FromMinutes(5), created.Value.AutoDeleteOnIdle);
        Assert.True(await admin.SubscriptionExistsAsync("events-fanout", "instance-1"));
        Assert.True(await admin.TopicExistsAsync("events-fanout"));
        var again = await Assert.ThrowsAsync<ServiceBusException>(() =>
            admin.CreateSubscriptionAsync("events-fanout", "instance-1"));
        Assert.Equal(ServiceBusFailureReason.MessagingEntityAlreadyExists, again.Reason);

        await using var sender = fixture.Client.CreateSender("events-fanout");
        await using var receiver = fixture.Client.CreateReceiver("events-fanout", "instance-1");
        await sender.SendMessageAsync(new ServiceBusMessage("fanned out"));
        var received = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("fanned out", received.Body.ToString());

        await admin.DeleteSubscriptionAsync("events-fanout", "instance-1");
        Assert.False(fixture.Broker.SubscriptionExists("events-fanout", "instance-1"));
    }
}
