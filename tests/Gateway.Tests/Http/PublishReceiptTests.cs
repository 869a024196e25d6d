using System.Net;
using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;

namespace Gateway.Tests.Http;

/// <summary>
/// On the embedded bus a publish is answered only once its event is in the log (the queue dies with the process):
/// <c>201 Created</c> with the event's id; and a graceful stop appends whatever is queued.
/// </summary>
public sealed class PublishReceiptTests
{
    [Fact]
    public async Task A_publish_is_answered_201_with_the_id_its_event_has_in_the_log_and_the_stream()
    {
        await using var host = await GatewayTestHost.StartAsync();
        await using var stream = await host.OpenStreamAsync("receipts");

        var first = await host.Client.SendAsync("receipts", "one");
        var second = await host.Client.SendAsync("receipts", "two");

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Created, second.Status);
        var items = await stream.NextAsync(2);
        Assert.Equal([first.Id, second.Id], items.Select(i => i.EventId));

        // Answered after the append: the log already holds the event, no waiting for ingest.
        var head = await host.Log.GetHeadAsync("receipts", CancellationToken.None);
        Assert.Equal(second.Id, $"{head.Epoch}-{head.Offset}");
        using var body = JsonDocument.Parse(first.Body);
        Assert.Equal("receipts", body.RootElement.GetProperty("channel").GetString());
        Assert.Equal(3, body.RootElement.GetProperty("bytes").GetInt32());
    }

    [Fact]
    public async Task A_graceful_stop_appends_every_acknowledged_publish_and_refuses_the_rest_with_an_error()
    {
        const int Publishes = 300;
        var host = await GatewayTestHost.StartAsync();
        await using var _ = host;

        // Many publishes in flight, then the stop: each is either acknowledged (and then in the log) or answered
        // with an error (503 once the bus is closed, or a refused connection once the server is gone).
        var sends = Enumerable.Range(1, Publishes).Select(i => TrySendAsync(host.Client, $"{i}")).ToList();
        await Waits.UntilAsync(() => sends.Any(s => s.IsCompleted), Waits.Item, "a first publish to be answered");
        await host.StopAsync();
        var results = await Task.WhenAll(sends);

        var acknowledged = results.Where(r => r?.IsSuccess == true).Select(r => r!.Id!).ToHashSet();
        var logged = new HashSet<string>();
        await foreach (var e in host.Log.ReadAfterAsync("stopping", 0, CancellationToken.None))
        {
            logged.Add(e.Id);
        }

        Assert.NotEmpty(acknowledged);
        Assert.Subset(logged, acknowledged);
        Assert.All(results.Where(r => r is not null && !r.IsSuccess), r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r!.Status));
    }

    private static async Task<PublishResult?> TrySendAsync(HttpClient client, string data)
    {
        try
        {
            return await client.SendAsync("stopping", data);
        }
        catch (HttpRequestException)
        {
            // Sent after the server stopped listening: not acknowledged, so not expected in the log.
            return null;
        }
    }
}
