using System.Diagnostics;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;

namespace Gateway.Tests.Http;

/// <summary>A stream ends cleanly — the body completes normally and its last frame is a <c>retry:</c> — at its deadline and on shutdown.</summary>
public sealed class DeadlineAndShutdownTests
{
    [Fact]
    public async Task At_the_deadline_the_stream_ends_cleanly_with_retry_last()
    {
        await using var host = await GatewayTestHost.StartAsync(
            ("Gateway:Stream:MaxDuration", "00:00:02"),
            ("Gateway:Stream:DeadlineJitter", "00:00:00"),
            ("Gateway:Stream:RetryInterval", "00:00:01.500"));
        await using var stream = await host.OpenStreamAsync("deadline");
        await host.PublishAsync("deadline", "before the end");
        var opened = Stopwatch.StartNew();

        // ReadToEnd returns only when the server completes the response; an aborted one throws instead.
        var items = await stream.ReadToEndAsync();

        Assert.Equal("before the end", Assert.Single(items).Data);
        Assert.InRange(opened.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        AssertEndsWithRetry(stream.RawText, "retry: 1500");
        Assert.Equal(TimeSpan.FromMilliseconds(1500), stream.Parser.ReconnectionInterval);
        await Waits.UntilAsync(() => host.Hub.SubscriberCount == 0, Waits.Item, "the ended stream to leave the hub");
    }

    [Fact]
    public async Task On_shutdown_every_open_stream_ends_cleanly_at_once()
    {
        // No spread: this test reads the exact interval (ReconnectSpreadTests covers the spread).
        var host = await GatewayTestHost.StartAsync(("Gateway:Stream:RetryInterval", "00:00:02"), ("Gateway:Stream:ReconnectSpread", "00:00:00"));
        await using var _ = host;
        var streams = new List<SseStream>();
        foreach (var channel in new[] { "one", "two", "two" })
        {
            streams.Add(await host.OpenStreamAsync(channel));
        }

        await Waits.UntilAsync(() => host.Hub.SubscriberCount == 3, Waits.Item, "three subscribers");
        await host.PublishAsync("one", "1");
        await host.PublishAsync("two", "2");
        foreach (var s in streams)
        {
            await s.NextAsync();
        }

        var reads = streams.Select(s => s.ReadToEndAsync()).ToList();
        var stopping = Stopwatch.StartNew();
        await host.StopAsync();

        // Kestrel waits up to its shutdown timeout (30 s) for open requests; streams that ended on their own
        // let it stop long before that.
        Assert.InRange(stopping.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        foreach (var (stream, read) in streams.Zip(reads))
        {
            Assert.Empty(await read);
            AssertEndsWithRetry(stream.RawText, "retry: 2000");
            await stream.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_stream_opened_while_shutting_down_ends_at_once_with_retry()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Stream:ReconnectSpread", "00:00:00"));
        host.Hub.EndAll(Gateway.Core.Hub.StreamEndReason.Shutdown);

        await using var stream = await host.OpenStreamAsync("late");
        var items = await stream.ReadToEndAsync();

        Assert.Empty(items);
        AssertEndsWithRetry(stream.RawText, "retry: 3000");
    }

    private static void AssertEndsWithRetry(string raw, string retryLine)
    {
        var frames = raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.True(frames.Length >= 2, raw);
        // The opening retry: may be spread (ReconnectSpreadTests); the last one is the end's.
        Assert.StartsWith("retry: ", frames[0], StringComparison.Ordinal);
        Assert.Equal(retryLine, frames[^1]);
        Assert.EndsWith("\n\n", raw, StringComparison.Ordinal);
    }
}
