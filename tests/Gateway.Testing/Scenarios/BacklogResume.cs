using System.Diagnostics.Metrics;
using Gateway.Core.Events;
using Gateway.Core.Hub;
using Gateway.Core.Streaming;
using Gateway.Core.Telemetry;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;
using Gateway.Testing.Sse;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Testing.Scenarios;

/// <summary>
/// Resume under load, for any log: a client resumes far behind on a busy channel and reads at a bounded rate. Its
/// reads are held at first, so live events overflow its queue while the backlog is still being written; then it reads
/// steadily (or never again, for a client that stopped reading).
/// </summary>
public sealed class BacklogResume(GatewayTestHost host, string channel)
{
    /// <summary>Events already in the log when the client resumes (from offset 0).</summary>
    public int Backlog { get; init; } = 10_000;

    public int EventBytes { get; init; } = 2048;

    /// <summary>The client's read rate in bytes per second.</summary>
    public long ReadRate { get; init; } = 8L * 1024 * 1024;

    /// <summary>Live events published while the client's reads are held: more than its queue holds.</summary>
    public int HeldLive { get; init; } = 192;

    /// <summary>Live events published while the client reads through the backlog.</summary>
    public int BusyLive { get; init; } = 300;

    /// <summary>True: the stream over several channels (<c>/api/stream</c>) with this channel and another.</summary>
    public bool MultiChannel { get; init; }

    /// <summary>Why the hub ended streams during the run.</summary>
    public List<StreamEndReason> EndReasons { get; } = [];

    /// <summary>How often the stream read the log again because live events were dropped while it caught up (and live gaps).</summary>
    public long GapFills => Interlocked.Read(ref _gapFills);

    private long _gapFills;

    /// <summary>Writes the backlog straight to the log (in append batches, as ingest does); returns the epoch.</summary>
    public async Task<string> FillAsync()
    {
        var payload = new byte[EventBytes];
        payload.AsSpan().Fill((byte)'b');
        string? epoch = null;
        for (var sent = 0; sent < Backlog; sent += 100)
        {
            var drafts = Enumerable.Range(0, Math.Min(100, Backlog - sent)).Select(_ => new EventDraft("backlog", payload)).ToList();
            epoch = (await host.Log.AppendAsync(channel, drafts, Waits.ForTest())).Epoch;
        }

        return epoch!;
    }

    /// <summary>
    /// Resumes from offset 0 and reads steadily: returns every offset of the channel the client received, once the
    /// last live event has arrived (it must reach live delivery).
    /// </summary>
    public async Task<List<long>> ResumeAndReadAsync(string epoch)
    {
        using var meters = ListenToGapFills();
        host.Hub.Ended += OnEnded;
        var throttle = new ThrottledReadHandler(ReadRate) { InnerHandler = new SocketsHttpHandler() };
        using var client = new HttpClient(throttle) { BaseAddress = host.BaseAddress, Timeout = Waits.Request };
        throttle.Hold();
        await using var stream = await OpenAsync(client, epoch);
        await PublishLiveAsync(HeldLive);
        await host.WaitForHeadAsync(channel, Backlog + HeldLive);
        throttle.Release();

        var last = Backlog + HeldLive + BusyLive;
        var busy = PublishLiveAsync(BusyLive);
        var offsets = new List<long>(last + 1);
        while (offsets.Count == 0 || offsets[^1] < last)
        {
            offsets.Add(OffsetOf(await stream.NextAsync()));
        }

        await busy;

        // Live now: one more event arrives as it is published.
        await host.PublishAsync(channel, "after");
        offsets.Add(OffsetOf(await stream.NextAsync()));
        host.Hub.Ended -= OnEnded;
        return offsets;
    }

    /// <summary>Resumes from offset 0 and never reads: returns once the gateway has ended the stream and left the hub.</summary>
    public async Task ResumeAndStopReadingAsync(string epoch)
    {
        host.Hub.Ended += OnEnded;
        var throttle = new ThrottledReadHandler(ReadRate) { InnerHandler = new SocketsHttpHandler() };
        using var client = new HttpClient(throttle) { BaseAddress = host.BaseAddress, Timeout = Waits.Request };
        throttle.Hold();
        await using var stream = await OpenAsync(client, epoch);
        await PublishLiveAsync(HeldLive);
        await Waits.UntilAsync(() => host.Hub.SubscriberCount == 0, Waits.Test, "the gateway to end the stream of a client that stopped reading");
        host.Hub.Ended -= OnEnded;
    }

    private Task<SseStream> OpenAsync(HttpClient client, string epoch) => MultiChannel
        ? SseStream.OpenAsync(client, GatewayHttp.MultiStreamPath([channel, channel + "-quiet"]), $".{CompositePosition.HashOf([channel, channel + "-quiet"])}.{epoch}-0_-0", recordRaw: false)
        : SseStream.OpenAsync(client, GatewayHttp.StreamPath(channel), $"{epoch}-0", recordRaw: false);

    private long OffsetOf(System.Net.ServerSentEvents.SseItem<string> item) =>
        MultiChannel ? SseIds.Offsets(item.EventId)[0] : SseIds.Offset(item);

    private async Task PublishLiveAsync(int count)
    {
        var payload = new string('l', EventBytes);
        for (var i = 0; i < count; i++)
        {
            await host.PublishAsync(channel, payload);
        }
    }

    private void OnEnded(HubSubscription subscription, StreamEndReason reason)
    {
        lock (EndReasons)
        {
            EndReasons.Add(reason);
        }
    }

    private MeterListener ListenToGapFills()
    {
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == GatewayMetrics.MeterName && instrument.Meter.Scope == factory && instrument.Name == "gateway.stream.gap_fills")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _gapFills, value));
        listener.Start();
        return listener;
    }
}
