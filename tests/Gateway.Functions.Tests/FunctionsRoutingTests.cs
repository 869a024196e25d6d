using System.Net;
using System.Text.Json;

namespace Gateway.Functions.Tests;

/// <summary>A channel route the platform would answer with a bare 404 gets the same problem+json as on the server host.</summary>
public sealed class FunctionsRoutingTests
{
    [Theory]
    [InlineData("GET", "/api/channels/a/b/stream")]
    [InlineData("POST", "/api/channels/a/b/events")]
    [InlineData("GET", "/api/channels/orders")]
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
}
