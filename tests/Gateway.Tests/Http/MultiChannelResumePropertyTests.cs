using CsCheck;
using Gateway.Core.Streaming;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;

namespace Gateway.Tests.Http;

/// <summary>
/// Random interleavings of publishes over 1–8 channels, random disconnect points, and resumes with the last id on
/// either of two instances that share one log: every channel's sequence arrives exactly as the log holds it.
/// </summary>
public sealed class MultiChannelResumePropertyTests
{
    /// <summary>One connection: where it goes, what is published before it opens (on the other instance) and while it is open (on its own), and how many events it reads before the client drops it.</summary>
    private sealed record Step(int Host, int[] Before, int[] Live, int Reads);

    private sealed record Scenario(int Channels, Step[] Steps)
    {
        public override string ToString() =>
            $"{Channels} channels: " + string.Join(" | ", Steps.Select(s => $"host {s.Host}, before [{string.Join(',', s.Before)}], live [{string.Join(',', s.Live)}], read {s.Reads}"));
    }

    private static readonly Gen<Step> Steps =
        Gen.Select(Gen.Int[0, 1], Gen.Int[0, 7].Array[0, 6], Gen.Int[0, 7].Array[0, 8], Gen.Int[0, 10], (host, before, live, reads) => new Step(host, before, live, reads));

    private static readonly Gen<Scenario> Scenarios =
        Gen.Int[1, 8].SelectMany(n => Steps.Array[1, 5].Select(steps => new Scenario(n, steps)));

    [Fact]
    public async Task Every_channel_arrives_exactly_in_log_order_across_disconnects_and_instances()
    {
        await using var a = await GatewayTestHost.StartAsync();
        await using var b = await GatewayTestHost.StartSharingLogAsync(a);
        GatewayTestHost[] hosts = [a, b];
        var run = 0;

        await Scenarios.SampleAsync(async scenario =>
        {
            run++;
            var channels = Enumerable.Range(0, scenario.Channels).Select(i => $"prop{run}-{i}").ToArray();
            var published = new long[channels.Length];
            var received = channels.Select(_ => new List<string>()).ToArray();
            long[]? baseline = null;
            string? lastId = null;

            async Task PublishAsync(GatewayTestHost host, int pick)
            {
                var c = pick % channels.Length;
                published[c]++;
                await host.PublishAsync(channels[c], $"{channels[c]}#{published[c]}");
            }

            async Task SettleAsync()
            {
                for (var c = 0; c < channels.Length; c++)
                {
                    await a.WaitForHeadAsync(channels[c], published[c]);
                }
            }

            long Deliverable() => published.Sum() - baseline!.Sum() - received.Sum(r => r.Count);

            async Task ReadAsync(SseStream stream, int count)
            {
                for (var i = 0; i < count; i++)
                {
                    var item = await stream.NextAsync();
                    Assert.NotEqual(SseFrames.ResetEventName, item.EventType);
                    received[SseIds.ChannelIndex(item.EventId)].Add(item.Data);
                    lastId = item.EventId;
                }
            }

            foreach (var step in scenario.Steps)
            {
                var host = hosts[step.Host];
                foreach (var pick in step.Before)
                {
                    await PublishAsync(hosts[1 - step.Host], pick);
                }

                // Everything published so far is in the log before the stream opens: what a connection cannot get
                // live (published on the other instance) it replays.
                await SettleAsync();
                await using var stream = await host.OpenMultiStreamAsync(channels, lastId);
                if (baseline is null)
                {
                    // The first connection has no id: it starts at the head, which the response header tells.
                    lastId = Assert.Single(stream.Response.Headers.GetValues(LastEventIdReader.HeaderName));
                    baseline = SseIds.Offsets(lastId);
                }

                foreach (var pick in step.Live)
                {
                    await PublishAsync(host, pick);
                }

                await ReadAsync(stream, (int)Math.Min(step.Reads, Deliverable()));
            }

            await SettleAsync();
            await using (var last = await hosts[run % 2].OpenMultiStreamAsync(channels, lastId))
            {
                await ReadAsync(last, (int)Deliverable());
            }

            for (var c = 0; c < channels.Length; c++)
            {
                var logged = new List<string>();
                await foreach (var e in a.Log.ReadAfterAsync(channels[c], baseline![c], CancellationToken.None))
                {
                    logged.Add(System.Text.Encoding.UTF8.GetString(e.Data.Span));
                }

                Assert.Equal(logged, received[c]);
                Assert.Equal(published[c] - baseline[c], received[c].Count);
            }
        }, iter: 20, threads: 1, print: s => s.ToString());
    }
}
