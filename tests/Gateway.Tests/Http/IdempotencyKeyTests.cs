using System.Net;
using System.Text.Json;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;

namespace Gateway.Tests.Http;

/// <summary>
/// <c>Idempotency-Key</c> on the in-memory log: a publish retried with its key is appended once and answered with the
/// first attempt's id; a key is per channel; a malformed key is refused. (The Table log: Gateway.Azure.Tests.)
/// </summary>
public sealed class IdempotencyKeyTests
{
    [Fact]
    public async Task A_publish_retried_with_its_key_is_appended_once_and_answered_with_the_first_id()
    {
        await using var host = await GatewayTestHost.StartAsync();

        var first = await host.Client.SendAsync("orders", "created #1", "7f1c2d3e-order-1");
        var retries = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => host.Client.SendAsync("orders", "created #1", "7f1c2d3e-order-1")));
        var other = await host.Client.SendAsync("orders", "created #2", "7f1c2d3e-order-2");
        var elsewhere = await host.Client.SendAsync("audit", "created #1", "7f1c2d3e-order-1");

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.All(retries, r => Assert.Equal((HttpStatusCode.OK, first.Id), (r.Status, r.Id)));
        Assert.Equal(HttpStatusCode.Created, other.Status);
        Assert.Equal(HttpStatusCode.Created, elsewhere.Status);
        var events = new List<(string Id, string Data)>();
        await foreach (var e in host.Log.ReadAfterAsync("orders", 0, CancellationToken.None))
        {
            events.Add((e.Id, System.Text.Encoding.UTF8.GetString(e.Data.Span)));
        }

        Assert.Equal([(first.Id!, "created #1"), (other.Id!, "created #2")], events);
    }

    [Fact]
    public async Task Concurrent_publishes_with_one_key_append_one_event()
    {
        await using var host = await GatewayTestHost.StartAsync();

        // Several land in one ingest batch: the first copy stands for the others, which get its id.
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.Client.SendAsync("race", "once", "race-key")));

        Assert.Single(results, r => r.Status == HttpStatusCode.Created);
        Assert.Single(results.Select(r => r.Id).Distinct());
        Assert.Equal(1, (await host.Log.GetHeadAsync("race", CancellationToken.None)).Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\tinside")]
    [InlineData("quote\"and,comma;ok-but space")]
    public async Task A_malformed_key_is_a_400_problem(string key)
    {
        await using var host = await GatewayTestHost.StartAsync();

        var result = await host.Client.SendAsync("c", "data", key);

        AssertProblem(result, "Idempotency-Key");
    }

    [Fact]
    public async Task A_key_longer_than_200_characters_or_two_keys_are_a_400_problem()
    {
        await using var host = await GatewayTestHost.StartAsync();

        AssertProblem(await host.Client.SendAsync("c", "data", new string('k', 201)), "201");
        AssertProblem(await host.Client.SendAsync("c", "data", "a", "b"), "Idempotency-Key");
        Assert.Equal(HttpStatusCode.Created, (await host.Client.SendAsync("c", "data", new string('k', 200))).Status);
        Assert.Equal(1, (await host.Log.GetHeadAsync("c", CancellationToken.None)).Offset);
    }

    private static void AssertProblem(PublishResult result, string inDetail)
    {
        Assert.True(result.Status == HttpStatusCode.BadRequest, $"Expected 400, got {(int)result.Status}: {result.Body}");
        using var problem = JsonDocument.Parse(result.Body);
        Assert.Contains(inDetail, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
