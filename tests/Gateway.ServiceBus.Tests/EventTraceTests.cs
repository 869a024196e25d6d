using System.Diagnostics;
using Gateway.Core.Telemetry;
using Gateway.Hosting.Telemetry;
using Gateway.Testing;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.ServiceBus;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Gateway.ServiceBus.Tests;

/// <summary>
/// One event's journey is one trace, followed with OpenTelemetry's in-memory exporter through the real Service Bus client
/// (against the test broker, which keeps the trace properties the SDK writes), the real Table log on Azurite and real
/// SSE streams: the producer's send → ingest → the Table append → the fan-out send → the fan-out receive → a link from
/// every stream it reached, with no span per delivery.
/// </summary>
public sealed class EventTraceTests
{
    private static readonly ActivitySource Producer = new("Gateway.Tests.Producer");

    [Fact]
    public async Task An_event_is_one_trace_from_the_producers_send_to_its_delivery_on_every_stream()
    {
        var spans = new List<Activity>();
        var channel = "traced-" + Guid.NewGuid().ToString("N")[..8];
        await using var azurite = await AzuriteProcess.StartAsync();
        await using var bus = await BusEnvironment.StartAsync();
        await using var gateway = await bus.StartGatewayAsync(
            configure: services => services.AddOpenTelemetry().WithTracing(t => t.AddGatewaySources().AddAspNetCoreInstrumentation().AddSource(Producer.Name).AddInMemoryExporter(spans)),
            settings: TableLogSettings.OnNewTable(azurite.ConnectionString));

        await using var first = await gateway.OpenStreamAsync(channel);
        await using var second = await gateway.OpenStreamAsync(channel);
        Activity root;
        using (root = Producer.StartActivity("produce")!)
        {
            await bus.Producer.SendMessageAsync(BusEnvironment.Event(channel, "traced"));
        }

        var delivered = (await first.NextAsync(1)).Single();
        Assert.Equal(delivered.EventId, (await second.NextAsync(1)).Single().EventId);

        // A stream's span ends with the stream: stop the gateway (it ends both streams cleanly), then wait for every span.
        await gateway.StopAsync();
        var trace = root.TraceId;
        try
        {
            await Waits.UntilAsync(
                () => Snapshot(spans).Count(s => s.OperationName == GatewayTracing.Stream && Channel(s) == channel) == 2
                    && Snapshot(spans).Any(s => s.TraceId == trace && s.OperationName == GatewayTracing.FanoutReceive),
                Waits.Item,
                "the fan-out receive span and both stream spans");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} Spans so far (trace {trace}):\n{Describe(Snapshot(spans))}", ex);
        }

        var all = Snapshot(spans);
        var journey = all.Where(s => s.TraceId == trace).ToList();
        var shape = Describe(journey);

        // The producer: the SDK's message span (its id travels as Diagnostic-Id/traceparent) and its send, under our root.
        var message = Single(journey, s => s.Source.Name == "Azure.Messaging.ServiceBus.Message" && s.Kind == ActivityKind.Producer, shape);
        Assert.Equal(root.SpanId, message.ParentSpanId);
        var send = Single(journey, s => s.Source.Name == "Azure.Messaging.ServiceBus.ServiceBusSender" && s.ParentSpanId == root.SpanId, shape);
        Assert.Contains(send.Links, l => l.Context.SpanId == message.SpanId);

        // The gateway's receive of the ingest subscription starts before the message is known: its own trace, linked to
        // the send. Receives that returned nothing (one per wait, all day long) are not exported, unless they failed (the
        // receives that stopping the gateway cancelled).
        Assert.Contains(all, s => s.OperationName == "ServiceBusReceiver.Receive"
            && s.Links.Any(l => l.Context.TraceId == trace && l.Context.SpanId == message.SpanId));
        Assert.DoesNotContain(all, s => s.OperationName == "ServiceBusReceiver.Receive" && !s.Links.Any() && s.Status != ActivityStatusCode.Error);

        // Ingest continues the producer's trace; the Table append (and the Table SDK's calls) and the fan-out send are its children.
        var ingest = Single(journey, s => s.OperationName == GatewayTracing.Ingest, shape);
        Assert.Equal((ActivityKind.Consumer, message.SpanId), (ingest.Kind, ingest.ParentSpanId));
        var append = Single(journey, s => s.OperationName == GatewayTracing.Append, shape);
        Assert.Equal(ingest.SpanId, append.ParentSpanId);
        Assert.Equal(channel, Channel(append));
        Assert.Contains(journey, s => s.Source.Name.StartsWith("Azure.Data.Tables", StringComparison.Ordinal) && s.ParentSpanId == append.SpanId);
        var fanoutSend = Single(journey, s => s.OperationName == GatewayTracing.FanoutSend, shape);
        Assert.Equal((ActivityKind.Producer, ingest.SpanId), (fanoutSend.Kind, fanoutSend.ParentSpanId));
        Assert.Contains(journey, s => s.Source.Name == "Azure.Messaging.ServiceBus.ServiceBusSender" && s.ParentSpanId == fanoutSend.SpanId);

        // The fan-out copy carries the fan-out send's context: this instance's receive continues it, once for both streams.
        var fanoutReceive = Single(journey, s => s.OperationName == GatewayTracing.FanoutReceive, shape);
        Assert.Equal((ActivityKind.Consumer, fanoutSend.SpanId), (fanoutReceive.Kind, fanoutReceive.ParentSpanId));
        Assert.Equal(delivered.EventId, fanoutReceive.GetTagItem("gateway.event.id"));
        Assert.Equal(2, fanoutReceive.GetTagItem("gateway.streams"));

        // Delivery: no span per stream and event; each stream's own span links to the event's trace at the fan-out receive.
        Assert.DoesNotContain(journey, s => s.OperationName == GatewayTracing.Stream);
        foreach (var stream in all.Where(s => s.OperationName == GatewayTracing.Stream && Channel(s) == channel))
        {
            var link = Assert.Single(stream.Links);
            Assert.Equal((trace, fanoutReceive.SpanId), (link.Context.TraceId, link.Context.SpanId));
            Assert.Contains(link.Tags!, t => t.Key == "gateway.event.id" && (string?)t.Value == delivered.EventId);
            Assert.Equal(1L, stream.GetTagItem("gateway.stream.delivered"));
        }
    }

    [Fact]
    public async Task Events_ingested_together_from_different_traces_each_stay_in_their_own_trace()
    {
        var spans = new List<Activity>();
        var channel = "batched-" + Guid.NewGuid().ToString("N")[..8];

        // Listening before the gateway starts (the producers send first): a tracer provider of the test's own.
        using var tracing = OpenTelemetry.Sdk.CreateTracerProviderBuilder()
            .AddGatewaySources().AddAspNetCoreInstrumentation().AddSource(Producer.Name).AddInMemoryExporter(spans).Build();
        await using var bus = await BusEnvironment.StartAsync();
        bus.Broker.CreateSubscription(BusEnvironment.FanoutTopic, "fixed"); // there before ingest can send to it

        // Two producers' events wait in the subscription before the gateway starts, so its first receive may take both.
        var roots = new List<Activity>();
        foreach (var data in new[] { "one", "two" })
        {
            using var root = Producer.StartActivity("produce " + data)!;
            roots.Add(root);
            await bus.Producer.SendMessageAsync(BusEnvironment.Event(channel, data));
        }

        await using var gateway = await bus.StartGatewayAsync(settings: ("Gateway:ServiceBus:FanoutSubscription", "fixed"));
        await using var stream = await gateway.OpenStreamAsync(channel, "earliest");
        var replayed = await stream.NextAsync(2);
        await using var live = await gateway.OpenStreamAsync(channel);
        await bus.Producer.SendMessageAsync(BusEnvironment.Event(channel, "three"));
        Assert.Equal("three", (await live.NextAsync(1)).Single().Data);
        Assert.Equal("three", (await stream.NextAsync(1)).Single().Data);
        await gateway.StopAsync();
        await Waits.UntilAsync(() => Snapshot(spans).Count(s => s.OperationName == GatewayTracing.Stream && Channel(s) == channel) == 2, Waits.Item, "both stream spans");

        // Whether or not one batch took both, each event's fan-out receive continues its own producer's trace.
        var all = Snapshot(spans);
        foreach (var (root, item) in roots.Zip(replayed))
        {
            var receive = Single(all, s => s.OperationName == GatewayTracing.FanoutReceive && s.TraceId == root.TraceId, Describe(all.Where(s => s.TraceId == root.TraceId)));
            Assert.Equal(item.EventId, receive.GetTagItem("gateway.event.id"));
        }

        // An ingest that took both events started its own trace and links to both sends.
        var batched = all.Where(s => s.OperationName == GatewayTracing.Ingest
            && roots.All(r => r.TraceId != s.TraceId)
            && s.Links.Any(l => roots.Any(r => r.TraceId == l.Context.TraceId))).ToList();
        foreach (var ingest in batched)
        {
            Assert.Equal(roots.Select(r => r.TraceId.ToHexString()).Order(), ingest.Links.Select(l => l.Context.TraceId.ToHexString()).Order());
        }

        // Replayed events are not linked (their journey ended at their first delivery); the live one is, on both streams.
        var three = Single(all, s => s.OperationName == GatewayTracing.FanoutReceive && Channel(s) == channel && roots.All(r => r.TraceId != s.TraceId), "");
        foreach (var streamSpan in all.Where(s => s.OperationName == GatewayTracing.Stream && Channel(s) == channel))
        {
            Assert.Equal(three.SpanId, Assert.Single(streamSpan.Links).Context.SpanId);
            Assert.Equal(1L, streamSpan.GetTagItem("gateway.stream.delivered"));
        }
    }

    private static string? Channel(Activity span) => span.GetTagItem("gateway.channel") as string;

    private static Activity Single(List<Activity> spans, Func<Activity, bool> match, string shape)
    {
        var found = spans.Where(match).ToList();
        Assert.True(found.Count == 1, $"expected one such span, found {found.Count}, in:\n{shape}");
        return found[0];
    }

    private static string Describe(IEnumerable<Activity> spans) =>
        string.Join('\n', spans.Select(s => $"{s.Source.Name} {s.DisplayName} {s.Kind} trace={s.TraceId} span={s.SpanId} parent={s.ParentSpanId} links={string.Join(',', s.Links.Select(l => l.Context.SpanId))}"));

    // The in-memory exporter adds from the exporting thread without a lock: read a copy, never the live list (a copy
    // taken while an item is being added can hold an empty slot for it).
    private static List<Activity> Snapshot(List<Activity> spans) => [.. spans.ToArray().Where(s => s is not null)];
}
