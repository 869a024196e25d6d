using Gateway.Client.Producers;
using Gateway.Core.Bus;
using Gateway.Testing.ServiceBus;
using Gateway.Testing.Sse;

namespace Gateway.ServiceBus.Tests;

/// <summary>A producer cannot send the gateway's own event names through Service Bus either.</summary>
public sealed class ReservedEventNameIngestTests
{
    [Fact]
    public async Task A_message_named_reset_is_dead_lettered_with_the_reason_and_the_channel_goes_on()
    {
        await using var bus = await BusEnvironment.StartAsync();
        await using var gateway = await bus.StartGatewayAsync();
        await using var stream = await gateway.OpenStreamAsync("feed");

        var forged = BusEnvironment.Event("feed", """{"reason":"pruned"}""", "reset");
        forged.MessageId = "forged-reset";
        await bus.Producer.SendMessageAsync(forged);
        await bus.Producer.SendMessageAsync(GatewayMessages.Create("feed", "after"));

        var item = await stream.NextAsync();
        Assert.Equal(("message", "after", 1L), (item.EventType, item.Data, SseIds.Offset(item)));

        var deadLetter = Assert.Single(await bus.ReceiveDeadLettersAsync(1));
        Assert.Equal("forged-reset", deadLetter.MessageId);
        Assert.Equal(EventIngestor.InvalidEventName, deadLetter.DeadLetterReason);
        Assert.Contains("'reset' is reserved", deadLetter.DeadLetterErrorDescription, StringComparison.Ordinal);
    }
}
