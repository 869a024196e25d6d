using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Gateway.Core.Hub;
using Gateway.Core.Streaming;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Gateway.Tests.Http;

/// <summary>
/// A client that stops reading cannot hold the server's memory: its queue overflows, its stream is ended and its
/// connection closed, while a healthy client on the same channel receives every event.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SlowConsumerTests(ITestOutputHelper output)
{
    private const string Channel = "busy";
    private const int EventBytes = 60_000;
    private const int Events = 400;

    // The publisher stays at most this many events ahead of the healthy client, so only the stalled one overflows.
    private const int Window = 8;

    [Fact]
    public async Task A_client_that_stops_reading_is_cut_off_and_a_healthy_one_misses_nothing()
    {
        await using var host = await GatewayTestHost.StartAsync(
            ("Gateway:Stream:QueueCapacity", "32"),
            ("Gateway:Stream:EndGracePeriod", "00:00:01"),
            ("Gateway:Retention:MaxEventsPerChannel", "100"));
        var endReasons = new List<StreamEndReason>();
        host.Hub.Ended += (_, reason) =>
        {
            lock (endReasons)
            {
                endReasons.Add(reason);
            }
        };

        await using var healthy = await host.OpenStreamAsync(Channel, recordRaw: false);
        await Waits.UntilAsync(() => host.Hub.SubscriberCount == 1, Waits.Item, "the healthy client to subscribe");
        using var stalled = await ConnectWithoutReadingAsync(host);
        await Waits.UntilAsync(() => host.Hub.SubscriberCount == 2, Waits.Item, "the stalled client to subscribe");
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var workingSetBefore = Environment.WorkingSet;

        using var credit = new SemaphoreSlim(Window);
        var received = new List<long>();
        var reading = Task.Run(async () =>
        {
            while (received.Count == 0 || received[^1] < Events)
            {
                var item = await healthy.NextAsync();
                Assert.Equal(EventBytes, item.Data.Length);
                received.Add(SseIds.Offset(item));
                credit.Release();
            }
        });

        for (var i = 1; i <= Events; i++)
        {
            Assert.True(await credit.WaitAsync(Waits.Item), $"the healthy client stalled before event {i}");
            var payload = new byte[EventBytes];
            payload.AsSpan().Fill((byte)('a' + (i % 26)));
            await host.PublishAsync(Channel, payload);
        }

        await reading.WaitAsync(TimeSpan.FromSeconds(30));
        await Waits.UntilAsync(() => host.Hub.SubscriberCount == 1, Waits.Item, "the stalled client to leave the hub");
        var drained = await DrainUntilClosedAsync(stalled);
        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        var workingSetAfter = Environment.WorkingSet;

        output.WriteLine($"stalled client: {drained:N0} bytes buffered before the server closed it; {Events} x {EventBytes:N0} B published");
        output.WriteLine($"managed heap {memoryBefore / 1024:N0} KiB -> {memoryAfter / 1024:N0} KiB; working set {workingSetBefore / 1048576:N0} MiB -> {workingSetAfter / 1048576:N0} MiB");

        Assert.Equal(Enumerable.Range(1, Events).Select(i => (long)i), received);
        lock (endReasons)
        {
            Assert.Equal([StreamEndReason.SlowConsumer], endReasons);
        }

        Assert.True(drained < (long)Events * EventBytes, $"the stalled client was sent everything ({drained:N0} bytes)");

        // A sanity bound, not a measurement: the log keeps at most ~110 events (data and cached frame, ~13 MB)
        // while 24 MB went through.
        Assert.True(memoryAfter - memoryBefore < 48L * 1024 * 1024, $"managed heap grew by {(memoryAfter - memoryBefore) / 1024:N0} KiB");
    }

    [Fact]
    public async Task A_burst_of_events_is_not_copied_into_a_stalled_clients_response_buffer()
    {
        const int burst = 300;
        const string channel = "burst";
        var probe = new ResponseProbe();
        await using var host = await GatewayTestHost.StartAsync(
            builder => builder.Services.AddSingleton<IStartupFilter>(probe),
            ("Gateway:Stream:QueueCapacity", "1024"));
        using var stalled = await ConnectWithoutReadingAsync(host, channel);

        // The stream has subscribed and waits at its first flush (held by the probe), so the whole burst is queued
        // before it writes anything: what it then copies into its response does not depend on thread timing.
        await probe.FirstFlushHeld.WaitAsync(Waits.Item);
        Assert.Equal(1, host.Hub.SubscriberCount);

        // The events and their shared frames exist before the measurement: what grows after it is per-client copies.
        var payload = new byte[EventBytes];
        payload.AsSpan().Fill((byte)'x');
        var appended = await host.Log.AppendAsync(channel, Enumerable.Range(0, burst).Select(_ => new Gateway.Core.Events.EventDraft(null, payload)).ToList(), CancellationToken.None);
        var frames = appended.Appended.Sum(e => (long)SseFrames.FrameOf(e).Length);
        var before = GC.GetTotalMemory(forceFullCollection: true);

        // One ingest batch reaches the hub at once, as a burst.
        foreach (var e in appended.Appended)
        {
            host.Hub.Publish(e);
        }

        // Let the stream go on, and measure once it is blocked: a flush that the client's backpressure holds. A
        // server that copied the burst into the response without flushing blocks too, after the copy.
        probe.ReleaseFirstFlush();
        await probe.Blocked.WaitAsync(Waits.Item);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var written = probe.Written;

        output.WriteLine($"burst of {burst} x {EventBytes:N0} B ({frames / 1024:N0} KiB of frames) to a stalled client: {written / 1024:N0} KiB written to its response before it blocked; managed heap {before / 1024:N0} KiB -> {after / 1024:N0} KiB");
        Assert.Equal(1, host.Hub.SubscriberCount);
        Assert.True(written < 4L * 1024 * 1024, $"the stream wrote {written / 1024:N0} KiB into the response of a client that reads nothing");
        Assert.True(after - before < 4L * 1024 * 1024, $"the server buffered {(after - before) / 1024:N0} KiB for one stalled client");
    }

    /// <summary>
    /// Watches the body writer of the (single) stream response: holds its first flush until released, counts the
    /// bytes written to it, and reports when a later flush does not complete at once (the client's backpressure).
    /// </summary>
    private sealed class ResponseProbe : IStartupFilter
    {
        private readonly TaskCompletionSource _firstFlushHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _written;
        private int _flushes;

        public Task FirstFlushHeld => _firstFlushHeld.Task;

        public Task Blocked => _blocked.Task;

        public long Written => Interlocked.Read(ref _written);

        public void ReleaseFirstFlush() => _release.TrySetResult();

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Path.Value?.EndsWith("/stream", StringComparison.Ordinal) == true)
                {
                    var body = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
                    context.Features.Set<IHttpResponseBodyFeature>(new ProbedBody(body, new ProbedWriter(body.Writer, this)));
                }

                return nextMiddleware(context);
            });
            next(app);
        };

        private ValueTask<FlushResult> OnFlush(PipeWriter inner, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _flushes) == 1)
            {
                return HoldAsync(inner, cancellationToken);
            }

            var flush = inner.FlushAsync(cancellationToken);
            if (!flush.IsCompleted && _release.Task.IsCompleted)
            {
                _blocked.TrySetResult();
            }

            return flush;
        }

        private async ValueTask<FlushResult> HoldAsync(PipeWriter inner, CancellationToken cancellationToken)
        {
            _firstFlushHeld.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken);
            return await inner.FlushAsync(cancellationToken);
        }

        private sealed class ProbedBody(IHttpResponseBodyFeature inner, PipeWriter writer) : IHttpResponseBodyFeature
        {
            public Stream Stream => inner.Stream;

            public PipeWriter Writer => writer;

            public void DisableBuffering() => inner.DisableBuffering();

            public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

            public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
                inner.SendFileAsync(path, offset, count, cancellationToken);

            public Task CompleteAsync() => inner.CompleteAsync();
        }

        private sealed class ProbedWriter(PipeWriter inner, ResponseProbe probe) : PipeWriter
        {
            public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

            public override long UnflushedBytes => inner.UnflushedBytes;

            public override void Advance(int bytes)
            {
                Interlocked.Add(ref probe._written, bytes);
                inner.Advance(bytes);
            }

            public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

            public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

            public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => probe.OnFlush(inner, cancellationToken);

            public override void CancelPendingFlush() => inner.CancelPendingFlush();

            public override void Complete(Exception? exception = null) => inner.Complete(exception);

            public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
        }
    }

    /// <summary>A raw connection with a small receive window that sends the GET and then never reads.</summary>
    private static async Task<Socket> ConnectWithoutReadingAsync(GatewayTestHost host, string channel = Channel)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        using var timeout = new CancellationTokenSource(Waits.Request);
        await socket.ConnectAsync(host.EndPoint, timeout.Token);
        var request = $"GET {GatewayTestHost.StreamPath(channel)} HTTP/1.1\r\nHost: {host.EndPoint}\r\nAccept: text/event-stream\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, timeout.Token);
        return socket;
    }

    /// <summary>Reads what the server had sent until it closes the connection (FIN or RST); returns the byte count.</summary>
    private static async Task<long> DrainUntilClosedAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Waits.Item);
        var buffer = new byte[64 * 1024];
        long total = 0;
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (n == 0)
                {
                    return total;
                }

                total += n;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return total;
        }
    }
}
