using System.Net;
using System.Text;
using System.Text.Json;

namespace Gateway.Functions.Tests;

/// <summary>The limits hold on the Functions app too: the functions call the same endpoint code as the server.</summary>
public sealed class FunctionsLimitsTests() : FunctionsHostTest("00:05:00", new Dictionary<string, string?>
{
    ["Gateway:Limits:MaxStreams"] = "1",
    ["Gateway:Limits:PublishPerSecond"] = "1",
    ["Gateway:Limits:PublishBurst"] = "3",
})
{

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
            await Task.Delay(20, TestCancellation);
        }
    }

    [Fact]
    public async Task Publishing_past_the_burst_gets_429()
    {
        for (var i = 0; i < 100; i++)
        {
            using var content = new StringContent("x", Encoding.UTF8, "text/plain");
            using var response = await Client.PostAsync(new Uri("/api/channels/fn-rate/events", UriKind.Relative), content, TestCancellation);
            if (!response.IsSuccessStatusCode)
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
        using var response = await Client.GetAsync(new Uri("/api/health", UriKind.Relative), TestCancellation);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestCancellation));
        var log = body.RootElement.GetProperty("checks").GetProperty("log");
        Assert.Equal("Healthy", log.GetProperty("status").GetString());
        Assert.False(log.TryGetProperty("description", out _));
    }

    private Task<HttpResponseMessage> GetStreamAsync() =>
        Client.GetAsync(new Uri("/api/channels/fn-limits/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, TestCancellation);

    private async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestCancellation));
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()));
    }
}
