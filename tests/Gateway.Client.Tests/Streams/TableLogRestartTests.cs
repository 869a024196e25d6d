using Gateway.Client.Publishing;
using Gateway.Client.Streams;
using Gateway.Client.Tests.Infrastructure;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.Network;
using Gateway.Testing.Processes;
using Gateway.Testing.Sse;

namespace Gateway.Client.Tests.Streams;

/// <summary>
/// The stream client across a restart of the real server process on the Table log (Azurite): the first server stops
/// (gracefully, then another time killed), the client's attempts are refused while none runs, and a new server on the
/// same address and table serves the rest. The log outlives the process, so the client resumes with no reset, every
/// event once and in order.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableLogRestartTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Across_a_server_restart_on_the_table_log_every_event_arrives_once_and_in_order(bool kill)
    {
        var options = new GatewayServerProcessOptions
        {
            Port = FreePort.Next(),
            Settings =
            [
                .. GatewayArguments.From(TableLogSettings.For(azurite.Azurite.ConnectionString, TableLogSettings.NewTableName())),
                ("Gateway:Stream:RetryInterval", "00:00:00.100"),
                ("Gateway:Stream:ReconnectSpread", "00:00:00"),
            ],
        };
        var first = await GatewayServerProcess.StartAsync(options);
        GatewayServerProcess? second = null;
        try
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            var publisher = new GatewayPublisher(http);
            await using var reader = new CollectingReader();
            reader.Start(new GatewayStreamClient(http, reader.Reporting(new GatewayStreamOptions
            {
                // Refused attempts while no server runs come back quickly (a bound on the test's length, not a verdict).
                MaxFailureBackoff = TimeSpan.FromSeconds(1),
            })).Channel("restart", "earliest"));
            await reader.UntilConnectionsAsync(1);

            var ids = new List<string>();
            for (var i = 1; i <= 5; i++)
            {
                ids.Add((await publisher.PublishAsync("restart", $"before {i}", "step")).Id!);
            }

            await reader.UntilEventsAsync(5);
            if (kill)
            {
                await first.KillAsync();
            }
            else
            {
                Assert.True(await first.StopAsync(Testing.Waits.Shutdown), "The server did not stop by itself.\n" + first.Output());
            }

            second = await GatewayServerProcess.StartAsync(options);
            for (var i = 1; i <= 5; i++)
            {
                ids.Add((await publisher.PublishAsync("restart", $"after {i}", "step")).Id!);
            }

            await reader.UntilEventsAsync(10);
            Assert.Null(reader.Failure);
            var events = reader.Events;
            Assert.Equal(ids, events.Select(e => e.Id));
            Assert.Equal([.. Enumerable.Range(1, 5).Select(i => $"before {i}"), .. Enumerable.Range(1, 5).Select(i => $"after {i}")], events.Select(e => e.Data));
            Assert.DoesNotContain(events, e => e.IsReset);
            Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), events.Select(e => SseIds.Offset(e.Id)));

            // The stream on the new server resumed after the last event of the old one.
            Assert.Contains(reader.Connections, c => c.SentLastEventId == ids[4]);
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
            }
        }
    }
}
