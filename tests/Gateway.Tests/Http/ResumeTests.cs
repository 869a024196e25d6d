using Gateway.Core.Log;
using Gateway.Core.Streaming;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Http;

/// <summary>Where a reconnecting client says it left off, and what it gets.</summary>
public sealed class ResumeTests
{
    [Fact]
    public async Task Offset_zero_of_the_current_epoch_replays_everything_without_a_reset()
    {
        await using var host = await GatewayTestHost.StartAsync();
        for (var i = 1; i <= 3; i++)
        {
            await host.PublishAsync("zero", $"e{i}");
        }

        var epoch = await host.WaitForHeadAsync("zero", 3);

        await using var stream = await host.OpenStreamAsync("zero", $"{epoch}-0");
        var items = await stream.ReadUntilAsync(i => SseIds.Offset(i) == 3);

        Assert.Equal(["e1", "e2", "e3"], items.Select(i => i.Data));
        Assert.DoesNotContain(items, i => i.EventType == SseFrames.ResetEventName);
    }

    [Fact]
    public async Task Without_an_id_a_client_gets_only_events_published_after_it_connected()
    {
        await using var host = await GatewayTestHost.StartAsync();
        await host.PublishAsync("news", "before");
        await host.WaitForHeadAsync("news", 1);

        await using var stream = await host.OpenStreamAsync("news");
        await host.PublishAsync("news", "after");
        var item = await stream.NextAsync();

        Assert.Equal((2L, "after"), (SseIds.Offset(item), item.Data));
    }

    [Fact]
    public async Task A_client_that_publishes_once_its_stream_is_open_receives_the_event()
    {
        // With a slow head read, the stream is open (headers and first bytes sent) well before the head is read.
        await using var host = await GatewayTestHost.StartAsync(builder => builder.Services.AddSingleton<IEventLog>(
            sp => new SlowHeadEventLog(sp.GetRequiredService<InMemoryEventLog>(), TimeSpan.FromMilliseconds(500))));

        await using var stream = await host.OpenStreamAsync("open");
        await host.PublishAsync("open", "right after opening");
        await host.WaitForHeadAsync("open", 1);
        var item = await stream.NextAsync(TimeSpan.FromSeconds(5));

        Assert.Equal((1L, "right after opening"), (SseIds.Offset(item), item.Data));
    }

    [Fact]
    public async Task The_header_wins_over_the_query_parameters()
    {
        await using var host = await GatewayTestHost.StartAsync();
        for (var i = 1; i <= 3; i++)
        {
            await host.PublishAsync("both", $"e{i}");
        }

        var epoch = await host.WaitForHeadAsync("both", 3);

        await using var stream = await SseStream.OpenAsync(host.Client, $"{GatewayTestHost.StreamPath("both")}?last_event_id=NOT-VALID&lastEventId={epoch}-0", $"{epoch}-2");
        var item = await stream.NextAsync();

        Assert.Equal((3L, "e3"), (SseIds.Offset(item), item.Data));
    }

    [Theory]
    [InlineData("last_event_id")]
    [InlineData("lastEventId")]
    public async Task Either_query_parameter_resumes_a_client_that_cannot_set_headers(string parameter)
    {
        await using var host = await GatewayTestHost.StartAsync();
        for (var i = 1; i <= 3; i++)
        {
            await host.PublishAsync("query", $"e{i}");
        }

        var epoch = await host.WaitForHeadAsync("query", 3);

        await using var stream = await SseStream.OpenAsync(host.Client, $"{GatewayTestHost.StreamPath("query")}?{parameter}={epoch}-1");
        var items = await stream.ReadUntilAsync(i => SseIds.Offset(i) == 3);

        Assert.Equal(["e2", "e3"], items.Select(i => i.Data));
    }
}
