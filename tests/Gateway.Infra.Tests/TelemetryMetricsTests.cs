using System.Net.Http.Headers;
using System.Text;
using Gateway.Server;
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
        await using var app = GatewayServer.Build(
            ["--urls", "http://127.0.0.1:0", "--environment", "Production"],
            builder => builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(exported)));
        using var timeout = new CancellationTokenSource(Bound);
        await app.StartAsync(timeout.Token);
        try
        {
            var address = app.Urls.Single();
            using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = Bound };

            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/channels/telemetry-test/stream");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var stream = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            stream.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(timeout.Token), Encoding.UTF8);

            using var publish = await http.PostAsync(
                "/api/channels/telemetry-test/events?event=ping",
                new StringContent("hello-telemetry", Encoding.UTF8, "text/plain"),
                timeout.Token);
            publish.EnsureSuccessStatusCode();

            while (await reader.ReadLineAsync(timeout.Token) is { } line && line != "data: hello-telemetry")
            {
            }

            Assert.True(app.Services.GetRequiredService<MeterProvider>().ForceFlush((int)Bound.TotalMilliseconds));
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }

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
