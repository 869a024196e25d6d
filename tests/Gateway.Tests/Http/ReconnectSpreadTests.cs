using Gateway.Testing.Http;
using Microsoft.Extensions.DependencyInjection;
using Gateway.Tests.Infrastructure;
using Gateway.Core.Log;
using Gateway.Core.Hub;
using Gateway.Core.Options;
using Gateway.Core.Streaming;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;

namespace Gateway.Tests.Http;

/// <summary>
/// Streams open, and end by a shutdown, with <c>retry:</c> values spread over [RetryInterval, RetryInterval + ReconnectSpread],
/// so the clients of a restarted or crashed instance do not reconnect together; deadline ends keep the plain interval; a
/// stream the log fails ends with a final <c>retry:</c> too.
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
    public async Task A_stream_whose_log_read_times_out_as_a_cancellation_ends_with_a_final_retry()
    {
        await using var host = await GatewayTestHost.StartAsync(
            builder => builder.Services.AddSingleton<IEventLog>(sp => new SwitchableEventLog(sp.GetRequiredService<InMemoryEventLog>())
            {
                ReadsFailToo = true,
                // How Azure.Core reports a network timeout: a cancellation, with no token cancelled.
                DownWith = () => new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40."),
            }),
            ("Gateway:Stream:RetryInterval", "00:00:01"),
            ("Gateway:Stream:ReconnectSpread", "00:00:00"));
        var published = await host.Client.SendAsync("read-timeout", "missed", "key-missed");
        Assert.True(published.IsSuccess, $"{published.Status}: {published.Body}");
        ((SwitchableEventLog)host.Log).IsDown = true;

        // Resuming before the event, the stream must read it from the log: that read fails, and the stream says when to come back.
        await using var stream = await host.OpenStreamAsync("read-timeout", published.Id![..published.Id!.LastIndexOf('-')] + "-0");
        await stream.ReadToEndAsync();

        Assert.True(stream.Frames[^1].IsRetryOnly, $"The stream ended without a final retry: frame: {stream.RawText}");
        Assert.Equal(2, stream.Frames.Count(f => f.Lines.Any(l => l.StartsWith("retry:", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task Streams_open_with_retry_values_spread_over_the_window()
    {
        // A crash ends every stream without a final retry:, so each client waits the value its stream opened with.
        var host = await GatewayTestHost.StartAsync(("Gateway:Stream:RetryInterval", "00:00:01"), ("Gateway:Stream:ReconnectSpread", "00:00:02"));
        await using var _ = host;
        var opening = new List<TimeSpan>();
        for (var i = 0; i < Streams; i++)
        {
            await using var stream = await host.OpenStreamAsync($"open-spread-{i % 4}");
            await stream.ReadFramesUntilAsync(f => f.IsComment);
            opening.Add(stream.Parser.ReconnectionInterval);
        }

        Assert.All(opening, r => Assert.InRange(r, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)));
        Assert.True(opening.Distinct().Count() > 1, $"All {Streams} streams opened with retry {opening[0]}.");
    }

    [Fact]
    public void The_opening_delay_is_drawn_from_the_whole_window_and_no_spread_means_the_interval()
    {
        var options = new StreamOptions { RetryInterval = TimeSpan.FromSeconds(3), ReconnectSpread = TimeSpan.FromSeconds(5) };
        var none = new StreamOptions { RetryInterval = TimeSpan.FromSeconds(3), ReconnectSpread = TimeSpan.Zero };
        var random = new Random(20261201);

        var drawn = Enumerable.Range(0, 1000).Select(_ => ReconnectDelay.Opening(options, random)).ToList();

        Assert.All(drawn, d => Assert.InRange(d, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8)));
        Assert.All(drawn, d => Assert.Equal(0, d.Ticks % TimeSpan.TicksPerMillisecond));
        // 1,000 draws from 5,001 equally likely milliseconds reach both ends of the window and hardly repeat.
        Assert.InRange(drawn.Min(), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3.1));
        Assert.InRange(drawn.Max(), TimeSpan.FromSeconds(7.9), TimeSpan.FromSeconds(8));
        Assert.True(drawn.Distinct().Count() > 800, $"{drawn.Distinct().Count()} distinct values");
        Assert.Equal(TimeSpan.FromSeconds(3), ReconnectDelay.Opening(none, random));
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
