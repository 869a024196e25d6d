using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;

namespace Gateway.Tests.Http;

/// <summary>
/// Clients connect with assorted Last-Event-IDs while publishers are busy: the hand-over from replay to live
/// must give each of them exactly the offsets after its id, in order, with no gap and no duplicate.
/// </summary>
public sealed class HandOverRaceTests
{
    private const string Channel = "race";
    private const int Warmup = 20;
    private const int Publishers = 6;
    private const int PerPublisher = 40;
    private const int Clients = 30;
    private const int Total = Warmup + (Publishers * PerPublisher);

    [Fact]
    public async Task Every_client_sees_exactly_the_offsets_after_its_id_in_order()
    {
        await using var host = await GatewayTestHost.StartAsync();
        var seed = Environment.TickCount;
        var random = new Random(seed);

        // A recorder follows the channel from the start; clients take their ids from what it has seen so far.
        await using var recorder = await host.OpenStreamAsync(Channel);
        var seen = new List<string>();
        for (var i = 0; i < Warmup; i++)
        {
            await host.PublishAsync(Channel, $"warmup {i}");
        }

        var recording = Task.Run(async () =>
        {
            while (true)
            {
                var item = await recorder.NextAsync();
                lock (seen)
                {
                    seen.Add(item.EventId!);
                }

                if (SseIds.Offset(item) == Total)
                {
                    return;
                }
            }
        });
        await Waits.UntilAsync(() => { lock (seen) { return seen.Count >= Warmup; } }, Waits.Item, "the warm-up events");

        var publishing = Enumerable.Range(0, Publishers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < PerPublisher; i++)
            {
                await host.PublishAsync(Channel, $"publisher {p} event {i}");
            }
        })).ToList();

        // Each client joins once a seeded number of events has been seen, so joins spread over the publishing.
        var starts = Enumerable.Range(0, Clients).Select(_ => (After: random.Next(Warmup, Total), Via: random.Next(3), Pick: random.NextDouble())).ToList();
        var clients = starts.Select(s => Task.Run(async () =>
        {
            await Waits.UntilAsync(() => { lock (seen) { return seen.Count >= s.After; } }, Waits.Test, $"{s.After} events to be seen");
            string id;
            lock (seen)
            {
                id = seen[(int)(s.Pick * seen.Count)];
            }

            return (Id: id, Offsets: await FollowAsync(host, id, s.Via));
        })).ToList();

        await Task.WhenAll(publishing).WaitAsync(TimeSpan.FromSeconds(30));
        var results = await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(30));
        await recording.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), seen.Select(SseIds.Offset));
        foreach (var (id, offsets) in results)
        {
            var from = SseIds.Offset(id);
            var expected = Enumerable.Range((int)from + 1, Total - (int)from).Select(i => (long)i);
            Assert.True(expected.SequenceEqual(offsets), $"seed {seed}: after {id} the client saw [{string.Join(",", offsets)}]");
        }
    }

    /// <summary>Connects with the id (header or one of the two query names) and collects offsets up to <see cref="Total"/>.</summary>
    private static async Task<List<long>> FollowAsync(GatewayTestHost host, string id, int via)
    {
        if (SseIds.Offset(id) == Total)
        {
            return [];
        }

        var stream = via switch
        {
            0 => await host.OpenStreamAsync(Channel, id),
            1 => await SseStream.OpenAsync(host.Client, $"{GatewayTestHost.StreamPath(Channel)}?last_event_id={Uri.EscapeDataString(id)}"),
            _ => await SseStream.OpenAsync(host.Client, $"{GatewayTestHost.StreamPath(Channel)}?lastEventId={Uri.EscapeDataString(id)}"),
        };
        await using (stream)
        {
            var items = await stream.ReadUntilAsync(i => SseIds.Offset(i) >= Total);
            return items.Select(SseIds.Offset).ToList();
        }
    }
}
