using Gateway.Core.Log;
using Gateway.Testing.BadInput;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;

namespace Gateway.Tests.BadInput;

/// <summary>
/// The bad-input corpus (<c>tests/Gateway.Testing/BadInput/corpus.json</c>) against the server host: each case gets
/// its expected status and a problem+json answer (or, where Kestrel answers before the gateway, the right status),
/// and afterwards a stream on another channel still receives every event and the probed channel has no log.
/// </summary>
[Trait("Category", "BadInput")]
public sealed class BadInputCorpusTests(BadInputCorpusTests.Server server) : IClassFixture<BadInputCorpusTests.Server>
{
    public static TheoryData<string> Cases => [.. BadInputCorpus.Http.Select(c => c.Id)];

    [Fact]
    public void The_corpus_has_at_least_sixty_cases_of_each_kind_it_promises()
    {
        Assert.True(BadInputCorpus.Http.Count + BadInputCorpus.Bus.Count >= 60);
        Assert.NotEmpty(BadInputCorpus.Bus);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_case_is_answered_as_expected_and_nothing_else_changes(string id)
    {
        var @case = BadInputCorpus.HttpCase(id);

        var response = await @case.SendAsync(server.Host.EndPoint);

        Assert.True(@case.Expect.Check(response) is null, $"{id}: {@case.Expect.Check(response)}");
        await server.AssertUnchangedAsync();
    }

    /// <summary>One server for the whole corpus, with the corpus's limits and a stream on a channel no case touches.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private SseStream _witness = null!;
        private int _checks;

        public GatewayTestHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Host = await GatewayTestHost.StartAsync([.. BadInputCorpus.GatewaySettings, .. BadInputCorpus.KestrelSettings]);
            _witness = await Host.OpenStreamAsync("witness");
        }

        /// <summary>The witness stream gets the next event, and nothing reached the channel the bad requests named.</summary>
        public async Task AssertUnchangedAsync()
        {
            var text = $"still serving {++_checks}";
            await Host.PublishAsync("witness", text);
            Assert.Equal(text, (await _witness.NextAsync()).Data);
            Assert.False((await Host.Log.GetHeadAsync("c", CancellationToken.None)).Exists, "a refused request wrote to channel c");
        }

        public async Task DisposeAsync()
        {
            await _witness.DisposeAsync();
            await Host.DisposeAsync();
        }
    }
}
