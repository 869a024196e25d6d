using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gateway.Core.Log;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Limits;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Http;

/// <summary>
/// While the log is down, an in-memory publish waits at most <c>Gateway:InMemory:AppendTimeout</c> and is answered 503
/// problem+json with <c>Retry-After</c>. Whatever the answer said (withdrawn, or held for later), a publisher that
/// retries with the same <c>Idempotency-Key</c> until it gets a 2xx ends with its event in the log exactly once.
/// </summary>
public sealed class PublishAppendTimeoutTests
{
    private const string Channel = "append-timeout";

    [Fact]
    public async Task Publishes_while_the_log_is_down_get_503_and_their_keyed_retries_append_each_event_once()
    {
        await using var host = await GatewayTestHost.StartAsync(
            builder => builder.Services.AddSingleton<IEventLog>(sp => new SwitchableEventLog(sp.GetRequiredService<InMemoryEventLog>())),
            ("Gateway:InMemory:AppendTimeout", "00:00:00.300"));
        var log = (SwitchableEventLog)host.Log;
        log.IsDown = true;

        // The first publish is taken by ingest (or, on a very slow machine, withdrawn before it was: both are honest).
        var first = await PostAsync(host.Client, "first", "key-first");
        await LimitResponses.AssertRefusedAsync(first.Response, HttpStatusCode.ServiceUnavailable, "within");
        await Waits.UntilAsync(() => log.FailedAppends > 0, Waits.Item, "ingest to try an append while the log is down");

        // Ingest now retries its batch in place, so the second publish waits in the queue: withdrawn, never appended.
        var second = await PostAsync(host.Client, "second", "key-second");
        await LimitResponses.AssertRefusedAsync(second.Response, HttpStatusCode.ServiceUnavailable, "it was not appended");

        log.IsDown = false;
        var firstAgain = await UntilAcceptedAsync(host.Client, "first", "key-first");
        var secondAgain = await UntilAcceptedAsync(host.Client, "second", "key-second");

        var events = new List<(string Id, string Data)>();
        await foreach (var e in log.ReadAfterAsync(Channel, 0, CancellationToken.None))
        {
            events.Add((e.Id, Encoding.UTF8.GetString(e.Data.Span)));
        }

        Assert.Equal([(firstAgain.Id!, "first"), (secondAgain.Id!, "second")], events);
        first.Response.Dispose();
        second.Response.Dispose();
    }

    [Fact]
    public async Task A_log_call_that_times_out_as_a_cancellation_nobody_asked_for_is_retried_and_the_gateway_stays_up()
    {
        await using var host = await GatewayTestHost.StartAsync(
            builder => builder.Services.AddSingleton<IEventLog>(sp => new SwitchableEventLog(sp.GetRequiredService<InMemoryEventLog>())
            {
                // How Azure.Core reports a network timeout: a cancellation, with no token cancelled.
                DownWith = () => new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40."),
            }),
            ("Gateway:InMemory:AppendTimeout", "00:00:00.300"),
            ("Gateway:Retention:Interval", "00:00:01"));
        var log = (SwitchableEventLog)host.Log;
        log.IsDown = true;

        var first = await PostAsync(host.Client, "first", "key-first");
        await Waits.UntilAsync(
            () => log.FailedAppends > 1 && log.FailedRetentions > 1,
            Waits.Item,
            "ingest and retention each to try again after a call that timed out (a service that let it escape would have stopped the host)");

        log.IsDown = false;
        var again = await UntilAcceptedAsync(host.Client, "first", "key-first");
        var events = new List<(string Id, string Data)>();
        await foreach (var e in log.ReadAfterAsync(Channel, 0, CancellationToken.None))
        {
            events.Add((e.Id, Encoding.UTF8.GetString(e.Data.Span)));
        }

        Assert.Equal([(again.Id!, "first")], events);
        first.Response.Dispose();
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:10:00.001")]
    public async Task An_append_timeout_out_of_range_stops_the_host_naming_the_setting(string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayTestHost.StartAsync(("Gateway:InMemory:AppendTimeout", value)));

        Assert.Contains("Gateway:InMemory:AppendTimeout", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<(HttpResponseMessage Response, string Body)> PostAsync(HttpClient client, string data, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, GatewayHttp.PublishPath(Channel))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(data)) { Headers = { ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" } } },
        };
        request.Headers.Add(GatewayPublish.IdempotencyKeyHeader, key);
        var response = await client.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    // As a careful producer: the same key again after each 503, until the gateway answers with the event's id.
    private static async Task<PublishResult> UntilAcceptedAsync(HttpClient client, string data, string key)
    {
        PublishResult? result = null;
        await Waits.UntilAsync(
            async () =>
            {
                result = await client.SendAsync(Channel, data, key);
                Assert.True(result.IsSuccess || result.Status == HttpStatusCode.ServiceUnavailable, $"{result.Status}: {result.Body}");
                return result.IsSuccess;
            },
            Waits.Test,
            $"a 2xx for '{data}'");
        return result!;
    }
}
