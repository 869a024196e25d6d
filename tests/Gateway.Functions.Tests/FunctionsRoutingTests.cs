using System.Net;
using System.Text.Json;

namespace Gateway.Functions.Tests;

/// <summary>A channel route the platform would answer with a bare 404 gets the same problem+json as on the server host.</summary>
public sealed class FunctionsRoutingTests
{
    [Theory]
    [InlineData("GET", "/api/channels/a/b/stream")]
    [InlineData("POST", "/api/channels/a/b/events")]
    [InlineData("GET", "/api/channels/orders/nothing")]
    public async Task A_path_below_channels_that_is_no_channel_route_is_a_400_problem(string method, string path)
    {
        await using var host = await FunctionsTestHost.StartAsync("00:05:00", new Dictionary<string, string?>());
        using var client = host.CreateClient();
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Invalid channel name", problem.RootElement.GetProperty("title").GetString());
        Assert.Contains("no '/'", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_channel_info_and_the_multi_channel_stream_are_functions_too()
    {
        await using var host = await FunctionsTestHost.StartAsync("00:05:00", new Dictionary<string, string?>());
        using var client = host.CreateClient();

        using var info = await client.GetAsync(new Uri("/api/channels/orders", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        using var body = JsonDocument.Parse(await info.Content.ReadAsStringAsync());
        Assert.Equal("orders", body.RootElement.GetProperty("channel").GetString());
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("head").ValueKind);

        await using var stream = await Gateway.Testing.Sse.SseStream.OpenAsync(client, "/api/stream?channel=a&channel=b");
        Assert.True(stream.Response.Headers.Contains("Last-Event-ID"));

        using var tooMany = await client.GetAsync(new Uri("/api/stream?" + string.Join('&', Enumerable.Range(1, 17).Select(i => $"channel=c{i}")), UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }
}
