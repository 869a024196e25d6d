using System.Collections.Concurrent;
using System.Text;
using Gateway.Core.Bus;
using Gateway.Core.Events;
using Gateway.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Unit;

/// <summary>
/// The two steps of <see cref="EventIngestor"/> that a bus's ingest may overlap across batches: <c>AppendAsync</c> puts a
/// batch in the log and fans out nothing; <c>FanOutAsync</c> sends what it appended. A batch whose fan-out never
/// happened (the step failed, its messages were not settled) is appended no second time when it is redelivered, and
/// its events are fanned out again from the log. On a real server host's in-memory log.
/// </summary>
public sealed class EventIngestorStepsTests
{
    [Fact]
    public async Task Append_puts_a_batch_in_the_log_without_fanning_it_out_and_FanOut_sends_what_it_appended()
    {
        var fanout = new RecordingFanout();
        await using var host = await GatewayTestHost.StartAsync(b => b.Services.AddSingleton<IEventFanout>(fanout));
        var ingestor = host.Services.GetRequiredService<EventIngestor>();

        using var appended = await ingestor.AppendAsync([Incoming("steps", "one", "m1"), Incoming("steps", "two", "m2")], CancellationToken.None);

        Assert.Equal(2, (await host.Log.GetHeadAsync("steps", CancellationToken.None)).Offset);
        Assert.Empty(fanout.Calls);
        Assert.Equal([(IngestStatus.Committed, 1L), (IngestStatus.Committed, 2L)], appended.Outcomes.Select(o => (o.Status, o.Position!.Value.Offset)));

        await ingestor.FanOutAsync(appended, CancellationToken.None);
        Assert.Equal([(1L, "one"), (2L, "two")], Assert.Single(fanout.Calls));
    }

    [Fact]
    public async Task A_batch_redelivered_after_its_fan_out_failed_is_not_appended_again_and_is_fanned_out_again_from_the_log()
    {
        var fanout = new RecordingFanout();
        await using var host = await GatewayTestHost.StartAsync(b => b.Services.AddSingleton<IEventFanout>(fanout));
        var ingestor = host.Services.GetRequiredService<EventIngestor>();
        IncomingEvent[] batch = [Incoming("again", "one", "r1"), Incoming("again", "two", "r2")];

        // The first delivery is appended; its fan-out fails (it never happens here), so nothing is settled.
        using (await ingestor.AppendAsync(batch, CancellationToken.None))
        {
        }

        using var redelivered = await ingestor.AppendAsync([.. batch, Incoming("again", "three", "r3")], CancellationToken.None);

        Assert.Equal(3, (await host.Log.GetHeadAsync("again", CancellationToken.None)).Offset);
        Assert.Equal(
            [(IngestStatus.Duplicate, 1L), (IngestStatus.Duplicate, 2L), (IngestStatus.Committed, 3L)],
            redelivered.Outcomes.Select(o => (o.Status, o.Position!.Value.Offset)));
        await ingestor.FanOutAsync(redelivered, CancellationToken.None);
        Assert.Equal([(1L, "one"), (2L, "two"), (3L, "three")], Assert.Single(fanout.Calls).Order());
    }

    private static IncomingEvent Incoming(string channel, string data, string sourceId) => new(channel, null, Encoding.UTF8.GetBytes(data), sourceId);

    private sealed class RecordingFanout : IEventFanout
    {
        private readonly ConcurrentQueue<List<(long Offset, string Data)>> _calls = new();

        public IReadOnlyList<List<(long Offset, string Data)>> Calls => [.. _calls];

        public Task PublishAsync(IReadOnlyList<ChannelEvent> events, CancellationToken cancellationToken)
        {
            _calls.Enqueue([.. events.Select(e => (e.Offset, Encoding.UTF8.GetString(e.Data.Span)))]);
            return Task.CompletedTask;
        }
    }
}
