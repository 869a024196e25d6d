using Gateway.Core.Hub;
using Gateway.Core.Options;
using Gateway.Core.Streaming;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;

namespace Gateway.Tests.Http;

/// <summary>
/// Streams ended by a shutdown end with <c>retry:</c> values spread over [RetryInterval, RetryInterval + ReconnectSpread],
/// so the clients of a restarted instance do not reconnect together; deadline ends keep the plain interval.
/// </summary>
public sealed class ReconnectSpreadTests
{
    private const int Streams = 40;

    [Fact]
    public async Task Streams_ended_by_shutdown_get_retry_values_spread_over_the_window()
    {
        var host = await GatewayTestHost.StartAsync(("Gateway:Stream:RetryInterval", "00:00:01"), ("Gateway:Stream:ReconnectSpread", "00:00:02"));
        await using var _ = host;
        var streams = new List<SseStream>();
        for (var i = 0; i < Streams; i++)
        {
            streams.Add(await host.OpenStreamAsync($"spread-{i % 4}"));
        }

        await Waits.UntilAsync(() => host.Hub.SubscriberCount == Streams, Waits.Item, $"{Streams} subscribers");
        var reads = streams.Select(s => s.ReadToEndAsync()).ToList();
        await host.StopAsync();
        await Task.WhenAll(reads);

        // The parser keeps the last retry: it saw, the one the stream ended with (the opening one said 1000).
        var retries = streams.Select(s => s.Parser.ReconnectionInterval).ToList();
        Assert.All(retries, r => Assert.InRange(r, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)));
        Assert.True(retries.Distinct().Count() > 1, $"All {Streams} streams ended with retry {retries[0]}.");
        foreach (var stream in streams)
        {
            await stream.DisposeAsync();
        }
    }

    [Fact]
    public void Deadline_and_slow_consumer_ends_keep_the_interval_and_no_spread_means_none()
    {
        var options = new StreamOptions { RetryInterval = TimeSpan.FromSeconds(3), ReconnectSpread = TimeSpan.FromSeconds(5) };
        var none = new StreamOptions { RetryInterval = TimeSpan.FromSeconds(3), ReconnectSpread = TimeSpan.Zero };

        Assert.Equal(TimeSpan.FromSeconds(3), ReconnectDelay.For(StreamEndReason.Deadline, options));
        Assert.Equal(TimeSpan.FromSeconds(3), ReconnectDelay.For(StreamEndReason.SlowConsumer, options));
        Assert.Equal(TimeSpan.FromSeconds(3), ReconnectDelay.For(StreamEndReason.Shutdown, none));
        Assert.Equal(TimeSpan.FromSeconds(3), ReconnectDelay.For(null, none));
        var failures = Enumerable.Range(0, 200).Select(_ => ReconnectDelay.For(null, options)).ToList();
        Assert.All(failures, d => Assert.InRange(d, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8)));
        Assert.True(failures.Distinct().Count() > 1);
    }

    [Fact]
    public async Task A_negative_or_huge_spread_stops_the_host_naming_the_setting()
    {
        foreach (var value in new[] { "-00:00:01", "02:00:00" })
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayTestHost.StartAsync(("Gateway:Stream:ReconnectSpread", value)));
            Assert.Contains("Gateway:Stream:ReconnectSpread", error.ToString(), StringComparison.Ordinal);
        }
    }
}
