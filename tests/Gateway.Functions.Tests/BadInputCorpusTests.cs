using System.Net;
using Gateway.Core.Log;
using Gateway.Testing.BadInput;
using Gateway.Testing.Http;
using Gateway.Testing.Sse;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Functions.Tests;

/// <summary>
/// The bad-input corpus (<c>tests/Gateway.Testing/BadInput/corpus.json</c>) against the Functions app's pipeline: every
/// case the worker answers itself (not those marked server-only, which the Functions platform answers first) gets the
/// same answer as on the server host, and afterwards a stream on another channel still receives every event.
/// </summary>
[Trait("Category", "BadInput")]
public sealed class BadInputCorpusTests(BadInputCorpusTests.App app) : IClassFixture<BadInputCorpusTests.App>
{
    public static TheoryData<string> Cases => [.. BadInputCorpus.Http.Where(c => !c.ServerOnly).Select(c => c.Id)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_case_is_answered_as_on_the_server_and_nothing_else_changes(string id)
    {
        var @case = BadInputCorpus.HttpCase(id);

        var response = await @case.SendAsync(app.EndPoint);

        Assert.True(@case.Expect.Check(response) is null, $"{id}: {@case.Expect.Check(response)}");
        await app.AssertUnchangedAsync();
    }

    /// <summary>One Functions app for the whole corpus, with a stream on a channel no case touches.</summary>
    public sealed class App : IAsyncLifetime
    {
        private FunctionsTestHost _host = null!;
        private HttpClient _client = null!;
        private SseStream _witness = null!;
        private int _checks;

        public IPEndPoint EndPoint => new(IPAddress.Loopback, _host.BaseAddress.Port);

        public async Task InitializeAsync()
        {
            _host = await FunctionsTestHost.StartAsync("00:05:00", BadInputCorpus.GatewaySettings.ToDictionary(s => s.Key, s => (string?)s.Value));
            _client = _host.CreateClient();
            _witness = await _client.OpenStreamAsync("witness");
        }

        public async Task AssertUnchangedAsync()
        {
            var text = $"still serving {++_checks}";
            await _client.PublishAsync("witness", text);
            Assert.Equal(text, (await _witness.NextAsync()).Data);
            var log = _host.Services.GetRequiredService<IEventLog>();
            Assert.False((await log.GetHeadAsync("c", CancellationToken.None)).Exists, "a refused request wrote to channel c");
        }

        public async Task DisposeAsync()
        {
            await _witness.DisposeAsync();
            _client.Dispose();
            await _host.DisposeAsync();
        }
    }
}
