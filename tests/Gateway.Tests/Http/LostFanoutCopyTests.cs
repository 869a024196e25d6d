using System.Diagnostics;
using Gateway.Core.Events;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;
using Xunit.Abstractions;

namespace Gateway.Tests.Http;

/// <summary>
/// An event whose live copy never reaches this instance, with no later event to reveal the gap, reaches the stream
/// from the log within about <c>Gateway:Stream:HeadCheckInterval</c>, not at the stream's deadline.
/// </summary>
public sealed class LostFanoutCopyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_last_event_of_a_quiet_channel_is_read_from_the_log_when_its_copy_never_comes()
    {
        // Heartbeats every 15 s and a 5-minute stream: only the head check can deliver it within the wait below.
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Stream:HeadCheckInterval", "00:00:01"));
        await using var stream = await host.OpenStreamAsync("quiet");
        await Waits.UntilAsync(() => host.Hub.SubscriberCount == 1, Waits.Item, "the stream to subscribe");
        await host.PublishAsync("quiet", "live 1");
        Assert.Equal("live 1", (await stream.NextAsync()).Data);

        // Appended straight to the log: the hub never hears of it, as when the fan-out copy is lost.
        var clock = Stopwatch.StartNew();
        await host.Log.AppendAsync("quiet", [new EventDraft(null, "lost 2"u8.ToArray(), "lost-2")], CancellationToken.None);
        var lost = await stream.NextAsync(Waits.Item);
        output.WriteLine($"the lost event arrived {clock.Elapsed.TotalSeconds:0.00} s after its append (check interval 1 s)");
        Assert.Equal((2L, "lost 2"), (SseIds.Offset(lost), lost.Data));

        await host.PublishAsync("quiet", "live 3");
        var next = await stream.NextAsync();
        Assert.Equal((3L, "live 3"), (SseIds.Offset(next), next.Data));
    }
}
