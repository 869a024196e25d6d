using System.Net.Sockets;
using Gateway.Client.Streams;
using Gateway.Client.Tests.Infrastructure;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Network;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Client.Tests.Streams;

/// <summary>
/// When the stream client reconnects, on a <see cref="FakeTimeProvider"/>: after a clean end it waits exactly the server's
/// latest <c>retry:</c>, and failed attempts back off by doubling up to the cap. The test moves the clock; nothing waits on a real delay.
/// </summary>
public sealed class ReconnectTimingTests
{
    [Fact]
    public async Task After_a_deadline_end_the_client_waits_the_servers_retry_before_it_reconnects()
    {
        await using var server = await GatewayTestHost.StartAsync(
            ("Gateway:Stream:MaxDuration", "00:00:01"),
            ("Gateway:Stream:DeadlineJitter", "00:00:00"),
            ("Gateway:Stream:RetryInterval", "00:00:07"));
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var reader = new CollectingReader();
        var stream = new GatewayStreamClient(http, reader.Reporting(new GatewayStreamOptions
        {
            TimeProvider = clock,
            InitialRetry = TimeSpan.FromSeconds(1),
            IdleTimeout = Timeout.InfiniteTimeSpan,
        })).Channel("slow");
        reader.Start(stream);

        // The server's stream ends at its deadline (real time); the client then waits on the fake clock.
        await reader.UntilReconnectsAsync(1);
        var wait = reader.Reconnects[0];
        Assert.Equal((TimeSpan.FromSeconds(7), 0, null), (wait.Delay, wait.Failures, wait.Error));
        Assert.Equal(TimeSpan.FromSeconds(7), stream.RetryInterval);
        Assert.Single(reader.Connections);

        clock.Advance(TimeSpan.FromSeconds(7));
        await reader.UntilConnectionsAsync(2);
        Assert.Null(reader.Failure);
    }

    [Fact]
    public async Task Failed_attempts_back_off_by_doubling_up_to_the_cap()
    {
        // A port nothing listens on: every attempt is refused.
        var port = FreePort.Next();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = Timeout.InfiniteTimeSpan };
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var reader = new CollectingReader();
        reader.Start(new GatewayStreamClient(http, reader.Reporting(new GatewayStreamOptions
        {
            TimeProvider = clock,
            InitialRetry = TimeSpan.FromSeconds(1),
            MaxFailureBackoff = TimeSpan.FromSeconds(8),
            IdleTimeout = Timeout.InfiniteTimeSpan,
        })).Channel("down"));

        var expected = new[] { 1, 2, 4, 8, 8 }.Select(s => TimeSpan.FromSeconds(s)).ToArray();
        for (var attempt = 1; attempt <= expected.Length; attempt++)
        {
            await reader.UntilReconnectsAsync(attempt);
            var wait = reader.Reconnects[attempt - 1];
            Assert.Equal((expected[attempt - 1], attempt), (wait.Delay, wait.Failures));
            Assert.IsType<HttpRequestException>(wait.Error);
            Assert.IsType<SocketException>(wait.Error!.InnerException);
            clock.Advance(wait.Delay);
        }

        Assert.Empty(reader.Connections);
        Assert.Null(reader.Failure);
    }
}
