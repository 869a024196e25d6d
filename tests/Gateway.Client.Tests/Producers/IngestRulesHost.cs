using Gateway.Core.Bus;
using Gateway.Testing.BadInput;
using Gateway.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Client.Tests.Producers;

/// <summary>
/// A real gateway with the bad-input corpus's limits, whose own <see cref="EventIngestor"/> (the one every bus's ingest
/// calls) judges the events the rule-agreement tests compare the client with.
/// </summary>
public sealed class IngestRulesHost : IAsyncLifetime
{
    private GatewayTestHost? _host;
    private int _sourceIds;

    public async Task InitializeAsync() => _host = await GatewayTestHost.StartAsync([.. BadInputCorpus.GatewaySettings]);

    /// <summary>What ingest does with one message: null when it is appended, else the dead-letter reason and description.</summary>
    public async Task<(string Reason, string Description)?> IngestAsync(string? channel, string? eventName, byte[] data)
    {
        var ingestor = _host!.Services.GetRequiredService<EventIngestor>();
        var sourceId = "agreement-" + Interlocked.Increment(ref _sourceIds);
        var outcome = (await ingestor.IngestAsync([new IncomingEvent(channel, eventName, data, sourceId)], CancellationToken.None)).Single();
        return outcome.Status == IngestStatus.Rejected ? (outcome.Reason!, outcome.Description!) : null;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
