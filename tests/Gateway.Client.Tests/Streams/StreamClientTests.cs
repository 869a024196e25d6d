using System.Net;
using Gateway.Client.Publishing;
using Gateway.Client.Streams;
using Gateway.Client.Tests.Infrastructure;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;

namespace Gateway.Client.Tests.Streams;

/// <summary>
/// The stream client against the real server host on 127.0.0.1: across the stream's deadline ends and dropped
/// connections every event arrives exactly once and in order; resets and several channels reach the caller.
/// </summary>
public sealed class StreamClientTests
{
    /// <summary>Streams that end every second and a client told to come back at once, so a test sees many connections.</summary>
    private static readonly (string Key, string Value)[] ShortStreams =
    [
        ("Gateway:Stream:MaxDuration", "00:00:01"),
        ("Gateway:Stream:DeadlineJitter", "00:00:00"),
        ("Gateway:Stream:RetryInterval", "00:00:00.050"),
    ];

    [Fact]
    public async Task Across_deadline_ends_every_event_arrives_once_and_in_order()
    {
        await using var server = await GatewayTestHost.StartAsync(ShortStreams);
        using var http = NewHttpClient(server.BaseAddress);
        var publisher = new GatewayPublisher(http);
        await using var reader = new CollectingReader();
        var stream = new GatewayStreamClient(http, reader.Reporting()).Channel("ticks", "earliest");
        reader.Start(stream);

        // Four rounds of five events, each round published into a later stream than the last.
        var published = new List<string>();
        for (var round = 1; round <= 4; round++)
        {
            await reader.UntilConnectionsAsync(round);
            for (var i = 1; i <= 5; i++)
            {
                var receipt = await publisher.PublishAsync("ticks", $"tick {published.Count + 1}", "tick");
                Assert.Equal(HttpStatusCode.Created, receipt.Status);
                published.Add(receipt.Id!);
            }

            await reader.UntilEventsAsync(published.Count);
        }

        var events = reader.Events;
        Assert.Null(reader.Failure);
        Assert.Equal(published, events.Select(e => e.Id));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"tick {i}"), events.Select(e => e.Data));
        Assert.All(events, e => Assert.Equal(("tick", "ticks", false), (e.EventName, e.Channel, e.IsReset)));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), events.Select(e => SseIds.Offset(e.Id)));

        // Each reconnect after a clean end waited the server's retry and resumed after the last id the client had.
        var connections = reader.Connections;
        Assert.True(connections.Count >= 4, $"{connections.Count} connections");
        Assert.All(reader.Reconnects.Where(r => r.Error is null), r => Assert.Equal(TimeSpan.FromMilliseconds(50), r.Delay));
        Assert.All(connections.Skip(1), c => Assert.NotNull(c.SentLastEventId));
    }

    [Fact]
    public async Task After_a_dropped_connection_the_client_resumes_after_its_last_event()
    {
        await using var server = await GatewayTestHost.StartAsync(("Gateway:Stream:RetryInterval", "00:00:00.050"));
        using var connections = new DroppableConnections();
        using var http = NewHttpClient(server.BaseAddress, connections);
        var publisher = new GatewayPublisher(http);
        await using var reader = new CollectingReader();
        reader.Start(new GatewayStreamClient(http, reader.Reporting()).Channel("orders", "earliest"));
        await reader.UntilConnectionsAsync(1);

        var ids = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            ids.Add((await publisher.PublishAsync("orders", $"order {i}")).Id!);
        }

        await reader.UntilEventsAsync(3);
        connections.DropAll();

        // Published while the client is (or may be) away: they come from the log on the resumed stream.
        for (var i = 4; i <= 6; i++)
        {
            ids.Add((await publisher.PublishAsync("orders", $"order {i}")).Id!);
        }

        await reader.UntilEventsAsync(6);
        await reader.UntilConnectionsAsync(2);
        Assert.Null(reader.Failure);
        Assert.Equal(ids, reader.Events.Select(e => e.Id));
        Assert.Equal(Enumerable.Range(1, 6).Select(i => $"order {i}"), reader.Events.Select(e => e.Data));
        Assert.All(reader.Events, e => Assert.Equal(GatewayEvent.DefaultEventName, e.EventName));

        var broken = Assert.Single(reader.Reconnects);
        Assert.IsType<IOException>(broken.Error);
        Assert.Equal(1, broken.Failures);
        Assert.Equal(ids[2], reader.Connections[1].SentLastEventId);
    }

    [Fact]
    public async Task A_resume_from_a_log_that_no_longer_exists_surfaces_the_reset_then_continues()
    {
        await using var server = await GatewayTestHost.StartAsync();
        using var http = NewHttpClient(server.BaseAddress);
        var publisher = new GatewayPublisher(http);
        var first = await publisher.PublishAsync("feed", "one");
        await publisher.PublishAsync("feed", "two");

        // An id of another epoch (a log deleted and re-created, a restarted embedded server).
        var stale = "zzzzzzzz-1";
        await using var reader = new CollectingReader();
        reader.Start(new GatewayStreamClient(http, reader.Reporting()).Channel("feed", stale));
        await reader.UntilEventsAsync(3);

        var reset = reader.Events[0];
        Assert.True(reset.IsReset);
        Assert.Equal("reset", reset.EventName);
        Assert.Equal(GatewayReset.StaleEpoch, reset.Reset!.Reason);
        Assert.Equal(("feed", stale), (reset.Reset.Channel, reset.Reset.LastEventId));
        Assert.Equal("feed", reset.Channel);
        Assert.Equal(["one", "two"], reader.Events.Skip(1).Select(e => e.Data));
        Assert.Equal(first.Id, reader.Events[1].Id);
    }

    [Fact]
    public async Task On_several_channels_each_event_and_each_reset_names_its_channel()
    {
        await using var server = await GatewayTestHost.StartAsync(ShortStreams);
        using var http = NewHttpClient(server.BaseAddress);
        var publisher = new GatewayPublisher(http);
        await using var reader = new CollectingReader();
        reader.Start(new GatewayStreamClient(http, reader.Reporting()).Channels(["prices", "news"], "earliest"));
        await reader.UntilConnectionsAsync(1);

        await publisher.PublishAsync("prices", "p1", "price");
        await publisher.PublishAsync("news", "n1", "update");
        await publisher.PublishAsync("prices", "p2", "price");
        await reader.UntilEventsAsync(3);

        // A deadline end in between: the composite id resumes both channels exactly.
        var connected = reader.Connections.Count;
        await reader.UntilConnectionsAsync(connected + 1);
        await publisher.PublishAsync("news", "n2", "update");
        await reader.UntilEventsAsync(4);

        Assert.Null(reader.Failure);
        Assert.Equal(
            [("prices", "price", "p1"), ("news", "update", "n1"), ("prices", "price", "p2"), ("news", "update", "n2")],
            reader.Events.Select(e => (e.Channel, e.EventName, e.Data)));

        // A position of the "news" part that belongs to no log: a reset for that channel alone.
        var last = reader.Events[^1].Id!;
        var parts = last.Split('.', 3);
        var positions = parts[2].Split('_');
        positions[1] = "zzzzzzzz-1";
        var staleNews = $"{parts[0]}.{parts[1]}.{string.Join('_', positions)}";
        await using var resumed = new CollectingReader();
        resumed.Start(new GatewayStreamClient(http, resumed.Reporting()).Channels(["prices", "news"], staleNews));
        await resumed.UntilEventsAsync(1);
        var reset = resumed.Events[0];
        Assert.Equal((GatewayReset.StaleEpoch, "news", "zzzzzzzz-1"), (reset.Reset?.Reason, reset.Reset?.Channel, reset.Reset?.LastEventId));
        Assert.Equal("news", reset.Channel);

        // A single channel's id on several channels: one reset about all of them, then every channel from its oldest event.
        await using var mismatched = new CollectingReader();
        mismatched.Start(new GatewayStreamClient(http, mismatched.Reporting()).Channels(["prices", "news"], reader.Events[0].Id!.Split('.')[2].Split('_')[0]));
        await mismatched.UntilEventsAsync(5);
        var all = mismatched.Events[0];
        Assert.Equal((GatewayReset.ChannelsMismatch, null), (all.Reset?.Reason, all.Reset?.Channel));
        Assert.Null(all.Channel);
        Assert.Equal(["p1", "n1", "p2", "n2"], mismatched.Events.Skip(1).Select(e => e.Data));
    }

    [Fact]
    public async Task An_answer_no_retry_can_fix_ends_the_enumeration_with_the_problem()
    {
        await using var server = await GatewayTestHost.StartAsync();
        using var http = NewHttpClient(server.BaseAddress);
        var stream = new GatewayStreamClient(http).Channel("feed", "nodash");

        var refused = await Assert.ThrowsAsync<GatewayRequestException>(async () =>
        {
            await foreach (var _ in stream.WithCancellation(Waits.ForTest()))
            {
            }
        });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.False(refused.IsTransient);
        Assert.NotNull(refused.Detail);
    }

    private static HttpClient NewHttpClient(Uri baseAddress, HttpMessageHandler? handler = null) =>
        new(handler ?? new SocketsHttpHandler(), disposeHandler: handler is null)
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
}
