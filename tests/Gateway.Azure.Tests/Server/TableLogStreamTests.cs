using System.Net;
using System.Text.Json;
using Gateway.Azure.Tests.Azurite;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;

namespace Gateway.Azure.Tests.Server;

/// <summary>End to end on the server host with the Table log on Azurite: HTTP publish → SSE stream → reconnect with Last-Event-ID.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableLogStreamTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Published_events_stream_live_and_a_reconnect_with_Last_Event_ID_gets_exactly_the_missed_ones()
    {
        // Detailed health: the check's description says which log answered (anonymous callers get the status alone).
        await using var server = await GatewayTestHost.StartAsync(TableLogSettings.OnNewTable(azurite.Azurite.ConnectionString, ("Gateway:Health:Detailed", "true")));
        const string Channel = "news";

        string lastSeen;
        await using (var live = await server.OpenStreamAsync(Channel))
        {
            foreach (var text in new[] { "one", "two", "three" })
            {
                await server.PublishAsync(Channel, text, "greeting");
            }

            var items = await live.NextAsync(3);
            var epoch = await server.WaitForHeadAsync(Channel, 3);
            Assert.Equal(["one", "two", "three"], items.Select(i => i.Data));
            Assert.All(items, i => Assert.Equal("greeting", i.EventType));
            Assert.Equal([$"{epoch}-1", $"{epoch}-2", $"{epoch}-3"], items.Select(i => i.EventId));
            lastSeen = items[^1].EventId!;
        }

        // Missed while disconnected: they come from the Table log on reconnect, then the stream goes live.
        await server.PublishAsync(Channel, "four", "greeting");
        await server.PublishAsync(Channel, "five", "greeting");
        var head = await server.WaitForHeadAsync(Channel, 5);
        await using var resumed = await server.OpenStreamAsync(Channel, lastSeen);
        var replayed = await resumed.NextAsync(2);
        Assert.Equal(["four", "five"], replayed.Select(i => i.Data));
        Assert.Equal([$"{head}-4", $"{head}-5"], replayed.Select(i => i.EventId));
        await server.PublishAsync(Channel, "six", "greeting");
        var next = await resumed.NextAsync();
        Assert.Equal(("six", $"{head}-6"), (next.Data, next.EventId));

        using var health = await server.Client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        var log = report.RootElement.GetProperty("checks").GetProperty("log");
        Assert.Equal("Healthy", log.GetProperty("status").GetString());
        Assert.Equal("table storage", log.GetProperty("description").GetString());
    }

    [Fact]
    public async Task A_Last_Event_ID_whose_successors_were_pruned_gets_a_pruned_reset_then_the_retained_events()
    {
        await using var server = await GatewayTestHost.StartAsync(TableLogSettings.OnNewTable(
            azurite.Azurite.ConnectionString,
            ("Gateway:Retention:MaxEventsPerChannel", "5"),
            ("Gateway:Retention:Interval", "01:00:00")));
        const string Channel = "pruned";
        for (var i = 1; i <= 12; i++)
        {
            await server.PublishAsync(Channel, $"event {i}", "tick");
        }

        var epoch = await server.WaitForHeadAsync(Channel, 12);
        Assert.Equal(7, await server.Log.ApplyRetentionAsync(CancellationToken.None));

        await using var stream = await server.OpenStreamAsync(Channel, $"{epoch}-2");
        var reset = await stream.NextAsync();
        Assert.Equal("reset", reset.EventType);
        using var data = JsonDocument.Parse(reset.Data);
        Assert.Equal("pruned", data.RootElement.GetProperty("reason").GetString());
        Assert.Equal($"{epoch}-2", data.RootElement.GetProperty("lastEventId").GetString());

        var retained = await stream.NextAsync(5);
        Assert.Equal(Enumerable.Range(8, 5).Select(i => $"{epoch}-{i}"), retained.Select(i => i.EventId));
        Assert.Equal(Enumerable.Range(8, 5).Select(i => $"event {i}"), retained.Select(i => i.Data));
    }
}
