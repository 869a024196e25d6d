using Gateway.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Gateway.Infra.Tests;

/// <summary>The gateway's metrics leave the process through OpenTelemetry as the server host registers it: a real stream, an in-memory exporter.</summary>
public sealed class TelemetryMetricsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_published_and_streamed_event_is_counted_as_ingested_and_delivered()
    {
        var exported = new List<MetricSnapshot>();
        await using var host = await GatewayTestHost.StartAsync(
            builder => builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(exported)),
            ("environment", "Production"));
        await using (var stream = await host.OpenStreamAsync("telemetry-test"))
        {
            await host.PublishAsync("telemetry-test", "hello-telemetry", "ping");
            await stream.ReadUntilAsync(item => item.Data == "hello-telemetry");

            Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush((int)Bound.TotalMilliseconds));
        }

        await host.StopAsync();

        Assert.True(Sum(exported, "gateway.events.ingested") >= 1, "gateway.events.ingested was not exported");
        Assert.True(Sum(exported, "gateway.events.delivered") >= 1, "gateway.events.delivered was not exported");
    }

    private static long Sum(IEnumerable<MetricSnapshot> exported, string name)
    {
        long sum = 0;
        foreach (var snapshot in exported.Where(m => m.Name == name))
        {
            foreach (var point in snapshot.MetricPoints)
            {
                sum += point.GetSumLong();
            }
        }

        return sum;
    }
}
