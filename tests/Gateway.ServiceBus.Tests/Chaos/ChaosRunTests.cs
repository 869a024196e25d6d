using Azure.Messaging.ServiceBus;
using Gateway.TestBroker;
using Gateway.Testing;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.ServiceBus;
using Xunit.Abstractions;

namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>
/// The chaos run: two gateway server processes on the Table log (Azurite, on disk) and the test broker, EventSource-like
/// clients spread over the channels and both instances, and a producer sending through Service Bus, while a seeded
/// schedule SIGKILLs and restarts the instances and restarts Azurite and the broker. Passes when every client ends
/// with every event of its channel exactly once, in log order, and every channel's log holds each message once.
/// Sizes come from <c>CHAOS_*</c> environment variables (<see cref="ChaosRunOptions"/>); <c>scripts/chaos.sh</c> runs
/// the full size. Loopback only; the run stops itself within its bound.
/// </summary>
[Trait("Category", "Chaos")]
public sealed class ChaosRunTests(ITestOutputHelper output)
{
    // Short locks: what a killed instance held comes back soon.
    private static readonly TimeSpan LockDuration = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Every_client_gets_every_event_once_in_order_through_kills_and_outages()
    {
        var options = ChaosRunOptions.FromEnvironment();
        var schedule = ChaosSchedule.Plan(options);
        var location = Directory.CreateTempSubdirectory("chaos-azurite-");
        using var timeline = new ChaosTimeline(Path.Combine(Path.GetTempPath(), $"chaos-{options.Seed}-{Environment.ProcessId}.log"));
        output.WriteLine($"Chaos run: {options}");
        output.WriteLine($"Timeline (live, with server output and failed connections): {timeline.FilePath}");
        timeline.Add($"chaos run: {options}");
        timeline.Add("schedule (from the producer's start):\n" + string.Join('\n', schedule.Select(f => "    " + f)));

        using var bound = new CancellationTokenSource(options.Timeout);
        var token = bound.Token;
        ChaosRun? run = null;
        try
        {
            await using var azurite = await AzuriteProcess.StartAsync(location.FullName);
            await using var bus = await BusEnvironment.StartAsync(new TestServiceBusBrokerOptions { LockDuration = LockDuration, DuplicateDetectionWindow = TimeSpan.FromMinutes(10) });
            var table = "chaos" + Guid.NewGuid().ToString("N")[..10];
            var log = new ChaosLogReader(azurite.ConnectionString, table);
            await using var gateways = new ChaosGateways(GatewaySettings(options, azurite.ConnectionString, table, bus), timeline);
            await Task.WhenAll(gateways.StartAsync(0, token), gateways.StartAsync(1, token));
            timeline.Add($"instances up: A on {gateways.Address(0).Authority}, B on {gateways.Address(1).Authority}");

            using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = Waits.Request };
            var clients = Enumerable.Range(0, options.Clients).Select(i => new ChaosClient(i, options, http, gateways, log, timeline)).ToList();
            await using var producerClient = new ServiceBusClient(bus.ConnectionString, new ServiceBusClientOptions
            {
                // Fail fast while the broker is down; the producer retries itself.
                RetryOptions = new ServiceBusRetryOptions { Mode = ServiceBusRetryMode.Fixed, MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(200), TryTimeout = TimeSpan.FromSeconds(5) },
            });
            await using var sender = producerClient.CreateSender(BusEnvironment.Topic);
            run = new ChaosRun(options, schedule, timeline, clients, new ChaosProducer(sender, options, timeline), new ChaosFaults(gateways, azurite, bus.Broker, timeline), log, bus, gateways);
            await run.RunAsync(token);
        }
        catch (Exception ex) when (run is not null)
        {
            run.Failed(ex, bound.IsCancellationRequested);
        }
        finally
        {
            output.WriteLine(timeline.Text());
            try
            {
                location.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Azurite may still be closing a file; the temp folder is cleaned up later.
            }
        }

        Assert.NotNull(run);
        output.WriteLine(run.Figures());
        output.WriteLine(run.Report());
        Assert.True(run.Passed, run.Report());
    }

    private static List<(string Key, string Value)> GatewaySettings(ChaosRunOptions options, string storage, string table, BusEnvironment bus) =>
    [
        .. GatewayArguments.From(TableLogSettings.For(storage, table)),
        .. bus.GatewaySettings,
        ("Gateway:ServiceBus:ReceiveWaitTime", "00:00:00.200"),
        ("Gateway:Stream:RetryInterval", options.Retry.ToString()),
        // After a kill the clients wait the retry: their stream opened with, drawn from [Retry, 3 × Retry].
        ("Gateway:Stream:ReconnectSpread", (options.Retry * 2).ToString()),
        ("Gateway:Stream:MaxDuration", options.StreamDuration.ToString()),
        ("Gateway:Stream:DeadlineJitter", (options.StreamDuration / 2).ToString()),
        ("Gateway:Stream:HeartbeatInterval", "00:00:01"),
    ];
}
