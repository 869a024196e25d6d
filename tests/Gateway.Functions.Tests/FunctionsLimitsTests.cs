using System.Net;
using System.Text;
using System.Text.Json;

namespace Gateway.Functions.Tests;

/// <summary>The limits hold on the Functions app too: the functions call the same endpoint code as the server.</summary>
public sealed class FunctionsLimitsTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private FunctionsTestHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await FunctionsTestHost.StartAsync("00:05:00", new Dictionary<string, string?>
        {
            ["Gateway:Limits:MaxStreams"] = "1",
            ["Gateway:Limits:PublishPerSecond"] = "1",
            ["Gateway:Limits:PublishBurst"] = "3",
        });
        _client = _host.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
        _timeout.Dispose();
    }

    [Fact]
    public async Task A_stream_over_MaxStreams_gets_503_and_the_slot_comes_back_when_the_stream_ends()
    {
        var first = await GetStreamAsync();
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using (var refused = await GetStreamAsync())
        {
            await AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable);
        }

        first.Dispose();

        // Bounded poll: the worker notices the client left, ends the invocation and releases the slot.
        while (true)
        {
            var next = await GetStreamAsync();
            if (next.StatusCode == HttpStatusCode.OK)
            {
                next.Dispose();
                return;
            }

            next.Dispose();
            await Task.Delay(20, _timeout.Token);
        }
    }

    [Fact]
    public async Task Publishing_past_the_burst_gets_429()
    {
        for (var i = 0; i < 100; i++)
        {
            using var content = new StringContent("x", Encoding.UTF8, "text/plain");
            using var response = await _client.PostAsync(new Uri("/api/channels/fn-rate/events", UriKind.Relative), content, _timeout.Token);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                Assert.True(i >= 3, $"Refused after {i} publishes; the burst is 3.");
                await AssertProblemAsync(response, HttpStatusCode.TooManyRequests);
                return;
            }
        }

        Assert.Fail("100 publishes at full speed were all accepted at one a second with a burst of 3.");
    }

    [Fact]
    public async Task Health_gives_anonymous_callers_statuses_without_descriptions()
    {
        using var response = await _client.GetAsync(new Uri("/api/health", UriKind.Relative), _timeout.Token);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(_timeout.Token));
        var log = body.RootElement.GetProperty("checks").GetProperty("log");
        Assert.Equal("Healthy", log.GetProperty("status").GetString());
        Assert.False(log.TryGetProperty("description", out _));
    }

    private Task<HttpResponseMessage> GetStreamAsync() =>
        _client.GetAsync(new Uri("/api/channels/fn-limits/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, _timeout.Token);

    private async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(_timeout.Token));
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()));
    }
}
