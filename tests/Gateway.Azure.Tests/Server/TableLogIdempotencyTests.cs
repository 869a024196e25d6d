using System.Net;
using Gateway.Azure.Tests.Azurite;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;

namespace Gateway.Azure.Tests.Server;

/// <summary>
/// <c>Idempotency-Key</c> on the Table log: the key is the source id of the log's dedupe marker, so a retry is not
/// appended again, on this host or after a restart (the marker is in the table, not in memory).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableLogIdempotencyTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_publish_retried_with_its_key_is_appended_once_even_by_a_new_host()
    {
        var settings = TableLogSettings.OnNewTable(azurite.Azurite.ConnectionString);
        PublishResult first;
        await using (var before = await GatewayTestHost.StartAsync(settings))
        {
            first = await before.Client.SendAsync("keyed", "payment 17", "pay-17");
            var retry = await before.Client.SendAsync("keyed", "payment 17", "pay-17");
            Assert.Equal(HttpStatusCode.Created, first.Status);
            Assert.Equal((HttpStatusCode.OK, first.Id), (retry.Status, retry.Id));
        }

        // A new host (as after a crash that lost the first answer): the table's marker still knows the key.
        await using var after = await GatewayTestHost.StartAsync(settings);
        var late = await after.Client.SendAsync("keyed", "payment 17", "pay-17");
        var next = await after.Client.SendAsync("keyed", "payment 18", "pay-18");

        Assert.Equal((HttpStatusCode.OK, first.Id), (late.Status, late.Id));
        Assert.Equal(HttpStatusCode.Created, next.Status);
        var events = new List<(string Id, string Data)>();
        await foreach (var e in after.Log.ReadAfterAsync("keyed", 0, CancellationToken.None))
        {
            events.Add((e.Id, System.Text.Encoding.UTF8.GetString(e.Data.Span)));
        }

        Assert.Equal([(first.Id!, "payment 17"), (next.Id!, "payment 18")], events);
    }
}
