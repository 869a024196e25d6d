using System.Text;
using Gateway.Core.Events;
using Gateway.Core.Log;
using Gateway.Testing;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.Network;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Gateway.Azure.Tests.Tables;

/// <summary>The Table log when its store goes away: typed, retryable failures, and nothing lost or doubled after retries.</summary>
public sealed class TableLogOutageTests(ITestOutputHelper output)
{
    private const string Channel = "outage";

    [Fact]
    public async Task Azurite_stopped_and_restarted_mid_run_loses_and_doubles_nothing()
    {
        var location = Directory.CreateTempSubdirectory("azurite-outage-");
        try
        {
            await using var azurite = await AzuriteProcess.StartAsync(location.FullName);
            var settings = TableLogSettings.For(azurite.ConnectionString, TableLogSettings.NewTableName());

            // Requests caught by the shutdown hang until the client gives up on them: give up soon.
            settings["EventLogStorage:Retry:NetworkTimeout"] = "00:00:02";
            await using var first = GatewayServices.Build(settings);
            await using var second = GatewayServices.Build(settings);
            var cancel = Waits.ForTest();
            var outages = 0;

            async Task WriteAsync(IEventLog log, string writer)
            {
                for (var batch = 0; batch < 30; batch++)
                {
                    var drafts = Enumerable.Range(batch * 10, 10).Select(i => new EventDraft(null, Encoding.UTF8.GetBytes($"{writer}-{i}"), $"{writer}-{i}")).ToList();

                    // What a bus consumer does: the batch is not settled, so the same messages come again until they commit.
                    while (true)
                    {
                        try
                        {
                            await log.AppendAsync(Channel, drafts, cancel);
                            break;
                        }
                        catch (EventLogUnavailableException)
                        {
                            Interlocked.Increment(ref outages);
                            await Task.Delay(100, cancel);
                        }
                    }
                }
            }

            var writers = Task.WhenAll(
                Task.Run(() => WriteAsync(first.GetRequiredService<IEventLog>(), "a"), cancel),
                Task.Run(() => WriteAsync(second.GetRequiredService<IEventLog>(), "b"), cancel));

            var log = first.GetRequiredService<IEventLog>();
            await Waits.UntilAsync(async () => await HeadOrZeroAsync(log) >= 100, Waits.Test, "the writers to pass offset 100");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await azurite.StopAsync(graceful: true);
            var stopped = clock.Elapsed;
            await Task.Delay(500, cancel);
            await azurite.StartAsync();
            var started = clock.Elapsed;
            await writers;
            output.WriteLine($"stopped after {stopped.TotalSeconds:0.0} s, restarted at {started.TotalSeconds:0.0} s, writers done at {clock.Elapsed.TotalSeconds:0.0} s; {outages} failed appends retried");

            var events = new List<ChannelEvent>();
            await foreach (var e in log.ReadAfterAsync(Channel, 0, cancel))
            {
                events.Add(e);
            }

            Assert.True(outages > 0, "The writers never saw the store unavailable: the outage did not happen during the run.");
            Assert.Equal(Enumerable.Range(1, 600).Select(i => (long)i), events.Select(e => e.Offset));
            var expected = new[] { "a", "b" }.SelectMany(w => Enumerable.Range(0, 300).Select(i => $"{w}-{i}")).Order(StringComparer.Ordinal);
            Assert.Equal(expected, events.Select(e => Encoding.UTF8.GetString(e.Data.Span)).Order(StringComparer.Ordinal));
        }
        finally
        {
            location.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_unreachable_store_raises_the_typed_retryable_error()
    {
        // A loopback port nobody listens on: connections are refused at once.
        var port = FreePort.Next();

        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        var settings = TableLogSettings.For(connection, TableLogSettings.NewTableName());
        settings["EventLogStorage:Retry:MaxRetries"] = "1";
        await using var services = GatewayServices.Build(settings);
        var log = services.GetRequiredService<IEventLog>();
        var cancel = Waits.ForTest();

        await Assert.ThrowsAsync<EventLogUnavailableException>(() => log.AppendAsync(Channel, [new EventDraft(null, "x"u8.ToArray(), "s1")], cancel));
        await Assert.ThrowsAsync<EventLogUnavailableException>(() => log.GetHeadAsync(Channel, cancel));
        await Assert.ThrowsAsync<EventLogUnavailableException>(() => log.ApplyRetentionAsync(cancel));
        await Assert.ThrowsAsync<EventLogUnavailableException>(async () =>
        {
            await foreach (var unused in log.ReadAfterAsync(Channel, 0, cancel))
            {
            }
        });
    }

    private static async Task<long> HeadOrZeroAsync(IEventLog log)
    {
        try
        {
            return (await log.GetHeadAsync(Channel, CancellationToken.None)).Offset;
        }
        catch (EventLogUnavailableException)
        {
            return 0;
        }
    }
}
