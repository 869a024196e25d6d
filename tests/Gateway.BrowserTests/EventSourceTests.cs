using Gateway.BrowserTests.Infrastructure;
using Gateway.Testing;

namespace Gateway.BrowserTests;

/// <summary>A real browser's <c>EventSource</c> against the real embedded gateway.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EventSourceTests(Chromium chromium)
{
    [Fact]
    public async Task Events_published_over_http_arrive_in_the_page_with_data_event_name_and_id()
    {
        await using var gateway = await BrowserGateway.StartAsync();
        await using var browser = await chromium.NewSessionAsync();
        var page = new TestPage(await browser.OpenAsync(gateway.TestPage("browser-basic", "greeting")));
        await page.UntilOpensAsync(1, Waits.Browser);

        await gateway.PublishAsync("browser-basic", "hello");
        await gateway.PublishAsync("browser-basic", "grüße, 你好 🌍", eventName: "greeting");
        await gateway.PublishAsync("browser-basic", "line one\nline two\n\n: not a comment");
        await page.UntilReceivedAsync(3, Waits.Browser);

        var received = await page.ReceivedAsync();
        Assert.Equal(
            [("message", "hello"), ("greeting", "grüße, 你好 🌍"), ("message", "line one\nline two\n\n: not a comment")],
            received.Select(e => (e.Type, e.Data)));

        // Ids are "{epoch}-{offset}": one epoch for the channel, offsets 1, 2, 3.
        var epoch = received[0].LastEventId[..received[0].LastEventId.LastIndexOf('-')];
        Assert.NotEmpty(epoch);
        Assert.Equal([$"{epoch}-1", $"{epoch}-2", $"{epoch}-3"], received.Select(e => e.LastEventId));
    }

    [Fact]
    public async Task At_each_deadline_the_browser_reconnects_with_last_event_id_and_misses_and_repeats_nothing()
    {
        const string channel = "browser-deadline";
        await using var gateway = await BrowserGateway.StartAsync(
            ("Gateway:Stream:MaxDuration", "00:00:02"),
            ("Gateway:Stream:DeadlineJitter", "00:00:00"),
            ("Gateway:Stream:RetryInterval", "00:00:00.200"));
        await using var browser = await chromium.NewSessionAsync();
        var page = new TestPage(await browser.OpenAsync(gateway.TestPage(channel)));
        await page.UntilOpensAsync(1, Waits.Browser);

        // Publishing spans at least three stream deadlines: after every 20 events, wait for the next reconnect.
        const int published = 60;
        for (var i = 1; i <= published; i++)
        {
            await gateway.PublishAsync(channel, i.ToString());
            if (i % 20 == 0)
            {
                await page.UntilOpensAsync(await page.OpensAsync() + 1, Waits.Browser);
            }
        }

        await page.UntilReceivedAsync(published, Waits.Browser);
        Assert.True(await page.OpensAsync() >= 3, $"the page opened its stream {await page.OpensAsync()} times; expected at least 3. {browser.ConsoleText}");

        // One more reconnect after the last event: had the browser resumed from a wrong id, it would replay old
        // events now, before the final one, which is therefore the last thing to wait for.
        var opensBefore = await page.OpensAsync();
        await page.UntilOpensAsync(opensBefore + 1, Waits.Browser);
        await gateway.PublishAsync(channel, (published + 1).ToString());
        await page.UntilReceivedAsync(published + 1, Waits.Browser);

        var received = await page.ReceivedAsync();
        Assert.Equal(Enumerable.Range(1, published + 1).Select(i => i.ToString()), received.Select(e => e.Data));

        // The browser, not the page, sent Last-Event-ID: every stream request after the first resumes from an id it had received.
        var resumedFrom = gateway.StreamRequests.LastEventIds;
        Assert.True(resumedFrom.Count >= 4, $"expected at least 4 stream requests, saw {resumedFrom.Count}");
        Assert.Equal("", resumedFrom[0]);
        var receivedIds = received.Select(e => e.LastEventId).ToList();
        var resumePositions = resumedFrom.Skip(1).Select(id => receivedIds.IndexOf(id)).ToList();
        Assert.All(resumePositions, position => Assert.True(position >= 0, $"a reconnect sent an id the page never received: {string.Join(", ", resumedFrom)}"));
        Assert.Equal(resumePositions.Order(), resumePositions);
    }
}
