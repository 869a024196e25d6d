using Azure.Messaging.ServiceBus;
using Gateway.Client.Producers;
using Gateway.Testing.BadInput;
using Gateway.Testing.Hosting;
using Gateway.Testing.ServiceBus;
using Gateway.Testing.Sse;

namespace Gateway.ServiceBus.Tests;

/// <summary>
/// The Service Bus cases of the bad-input corpus (<c>tests/Gateway.Testing/BadInput/corpus.json</c>): every poison
/// message is dead-lettered with its reason and a description that says what was wrong, and the valid message sent
/// after it still reaches a stream; the channel the poison message named gets no log.
/// </summary>
[Trait("Category", "BadInput")]
public sealed class BadInputCorpusTests(BadInputCorpusTests.Gateway gateway) : IClassFixture<BadInputCorpusTests.Gateway>
{
    public static TheoryData<string> Cases => [.. BadInputCorpus.Bus.Select(c => c.Id)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_poison_message_is_dead_lettered_with_its_reason_and_nothing_else_changes(string id)
    {
        var @case = BadInputCorpus.BusCase(id);
        var message = new ServiceBusMessage(@case.BodyBytes()) { MessageId = id, Subject = @case.Subject };
        if (@case.TryGetChannelProperty(out var channel))
        {
            message.ApplicationProperties["channel"] = channel;
        }

        await gateway.Bus.Producer.SendMessageAsync(message);

        await gateway.AssertUnchangedAsync();
        var deadLetter = Assert.Single(await gateway.Bus.ReceiveDeadLettersAsync(1));
        Assert.Equal(id, deadLetter.MessageId);
        Assert.Equal(@case.Reason, deadLetter.DeadLetterReason);
        Assert.Contains(@case.Description, deadLetter.DeadLetterErrorDescription, StringComparison.Ordinal);
    }

    /// <summary>One broker and gateway for every case, with a stream on a channel no case names.</summary>
    public sealed class Gateway : IAsyncLifetime
    {
        private GatewayTestHost _host = null!;
        private SseStream _witness = null!;
        private int _checks;

        public BusEnvironment Bus { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Bus = await BusEnvironment.StartAsync();
            _host = await Bus.StartGatewayAsync(settings: BadInputCorpus.GatewaySettings);
            _witness = await _host.OpenStreamAsync("witness");
        }

        /// <summary>A valid message sent after the poison one reaches the stream, and the poison one wrote nothing.</summary>
        public async Task AssertUnchangedAsync()
        {
            var text = $"still ingesting {++_checks}";
            await Bus.Producer.SendMessageAsync(GatewayMessages.Create("witness", text));
            Assert.Equal(text, (await _witness.NextAsync()).Data);
            Assert.False((await _host.Log.GetHeadAsync("feed", CancellationToken.None)).Exists, "a poison message was appended to channel feed");
        }

        public async Task DisposeAsync()
        {
            await _witness.DisposeAsync();
            await _host.DisposeAsync();
            await Bus.DisposeAsync();
        }
    }
}
