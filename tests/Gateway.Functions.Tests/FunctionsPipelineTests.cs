using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Core.Events;
using Gateway.Core.Log;
using Gateway.Core.Options;
using Gateway.Functions.Functions;
using Gateway.Functions.Hosting;
using Gateway.Testing.Http;
using Gateway.Testing.Sse;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Functions.Tests;

/// <summary>The function classes over HTTP through a real ASP.NET Core pipeline (see <see cref="FunctionsTestHost"/>).</summary>
public sealed class FunctionsPipelineTests() : FunctionsHostTest(FunctionTimeout, Settings())
{
    // host.json says 6 s; minus a 3 s margin, streams last 3 s (no jitter, so the end is predictable).
    private const string FunctionTimeout = "00:00:06";
    private static readonly TimeSpan HostTimeout = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan DerivedDeadline = TimeSpan.FromSeconds(3);

    private readonly string _channel = "fn-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Stream_receives_events_published_through_Publish_and_ends_at_the_derived_deadline_with_retry_last()
    {
        Assert.Equal(DerivedDeadline, Host.Services.GetRequiredService<IOptions<StreamOptions>>().Value.MaxDuration);

        var started = Stopwatch.StartNew();
        await using var reader = await OpenStreamAsync(lastEventId: null);
        Assert.Equal("text/event-stream", reader.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", reader.Response.Headers.CacheControl?.ToString());

        var opening = await reader.ReadFramesUntilAsync(f => f.IsComment);
        Assert.Equal("retry: 1000", Assert.Single(opening[0].Lines));

        foreach (var data in new[] { "one", "two", "three" })
        {
            await PublishAsync(data);
        }

        var rest = await reader.ReadFramesToEndAsync();
        var elapsed = started.Elapsed;

        var events = rest.Where(f => f.IsEvent).ToList();
        Assert.Equal(["one", "two", "three"], events.Select(e => e.Data));
        Assert.All(events, e => Assert.Equal("note", e.Event));
        Assert.Equal([1L, 2L, 3L], events.Select(e => Position(e).Offset));

        // A clean end: the last frame tells the client when to reconnect, and it came at the derived deadline,
        // before the host's functionTimeout would have cancelled the invocation.
        Assert.True(rest[^1].IsRetryOnly, $"The last frame is '{string.Join(" | ", rest[^1].Lines)}', not retry:.");
        Assert.InRange(elapsed, DerivedDeadline - TimeSpan.FromMilliseconds(200), HostTimeout);
    }

    [Fact]
    public async Task Reconnect_with_Last_Event_ID_resumes_without_loss_or_duplicate()
    {
        var received = new List<SseFrame>();
        await using (var reader = await OpenStreamAsync(lastEventId: null))
        {
            await reader.ReadFramesUntilAsync(f => f.IsComment);
            await PublishAsync("one");
            await PublishAsync("two");
            received.AddRange((await reader.ReadFramesUntilAsync(f => f.Data == "two")).Where(f => f.IsEvent));

            // Published while the client is still connected but no longer reading: it must come on the reconnect.
            await PublishAsync("three");
        }

        await PublishAsync("four");
        await using (var reader = await OpenStreamAsync(lastEventId: received[^1].Id))
        {
            received.AddRange((await reader.ReadFramesUntilAsync(f => f.Data == "four")).Where(f => f.IsEvent));
            await PublishAsync("five");
            var rest = await reader.ReadFramesToEndAsync();
            received.AddRange(rest.Where(f => f.IsEvent));
            Assert.True(rest[^1].IsRetryOnly);
        }

        Assert.Equal(["one", "two", "three", "four", "five"], received.Select(e => e.Data));
        Assert.Equal([1L, 2L, 3L, 4L, 5L], received.Select(e => Position(e).Offset));
        Assert.Single(received.Select(e => Position(e).Epoch).Distinct());
    }

    [Fact]
    public async Task Publish_rejects_an_invalid_event_name_with_a_problem()
    {
        using var content = new StringContent("x", Encoding.UTF8, "text/plain");
        using var response = await Client.PostAsync(new Uri($"/api/channels/{_channel}/events?event=", UriKind.Relative), content, TestCancellation);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Health_reports_the_log_and_the_bus()
    {
        using var response = await Client.GetAsync(new Uri("/api/health", UriKind.Relative), TestCancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestCancellation));
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.True(body.RootElement.GetProperty("checks").TryGetProperty("log", out _));
        Assert.True(body.RootElement.GetProperty("checks").TryGetProperty("bus", out _));
    }

    [Fact]
    public async Task Retention_timer_applies_the_logs_retention_policy()
    {
        // The app's own registration (as the worker makes it) on a clock the test moves: which event is past
        // MaxAge is decided by the clock's position, not by how long a sleep took.
        var maxAge = TimeSpan.FromMinutes(1);
        var settings = Settings();
        settings["Gateway:Retention:MaxAge"] = maxAge.ToString("c", CultureInfo.InvariantCulture);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(time);
        services.AddGatewayFunctions(configuration, TestLocations.FunctionsAppDirectory);
        await using var provider = services.BuildServiceProvider();
        var log = provider.GetRequiredService<IEventLog>();
        var function = ActivatorUtilities.CreateInstance<RetentionFunction>(provider);

        await log.AppendAsync(_channel, [new EventDraft("note", "old"u8.ToArray())], TestCancellation);
        time.Advance(maxAge / 2);
        await log.AppendAsync(_channel, [new EventDraft("note", "recent"u8.ToArray())], TestCancellation);

        // Both younger than MaxAge: the timer removes nothing.
        await function.RunAsync(new TimerInfo(), TestCancellation);
        Assert.Equal([1L, 2L], await OffsetsAsync(log));

        // "old" is now just past MaxAge, "recent" half of it younger.
        time.Advance(maxAge / 2 + TimeSpan.FromSeconds(1));
        await function.RunAsync(new TimerInfo(), TestCancellation);
        Assert.Equal([2L], await OffsetsAsync(log));
    }

    private async Task<List<long>> OffsetsAsync(IEventLog log)
    {
        var offsets = new List<long>();
        await foreach (var e in log.ReadAfterAsync(_channel, 0, TestCancellation))
        {
            offsets.Add(e.Offset);
        }

        return offsets;
    }

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Gateway:Functions:SafetyMargin"] = "00:00:03",
        ["Gateway:Stream:DeadlineJitter"] = "00:00:00",
        ["Gateway:Stream:RetryInterval"] = "00:00:01",
        // The opening retry: is read exactly (ReconnectSpreadTests covers the spread).
        ["Gateway:Stream:ReconnectSpread"] = "00:00:00",
    };

    private Task<SseStream> OpenStreamAsync(string? lastEventId) => Client.OpenStreamAsync(_channel, lastEventId);

    private Task PublishAsync(string data) => PublishAsync(Client, data);

    private Task PublishAsync(HttpClient client, string data) => client.PublishAsync(_channel, data, "note");

    private static EventPosition Position(SseFrame frame)
    {
        Assert.True(EventPosition.TryParse(frame.Id, out var position, out var error), error);
        return position;
    }
}
