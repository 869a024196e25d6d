using Gateway.BrowserTests.Infrastructure;
using Gateway.Testing;

namespace Gateway.BrowserTests;

/// <summary>A real browser's <c>EventSource</c> on one stream over two channels (<c>/api/stream?channel=a&amp;channel=b</c>).</summary>
[Collection(BrowserCollection.Name)]
public sealed class MultiChannelEventSourceTests(Chromium chromium)
{
    [Fact]
    public async Task Two_channels_on_one_EventSource_reconnect_at_each_deadline_and_miss_and_repeat_nothing()
    {
        string[] channels = ["browser-multi-a", "browser-multi-b"];
        await using var gateway = await BrowserGateway.StartAsync(
            ("Gateway:Stream:MaxDuration", "00:00:02"),
            ("Gateway:Stream:DeadlineJitter", "00:00:00"),
            ("Gateway:Stream:RetryInterval", "00:00:00.200"));
        await using var browser = await chromium.NewSessionAsync();
        var page = new TestPage(await browser.OpenAsync(gateway.MultiChannelTestPage(channels, "tick")));
        await page.UntilOpensAsync(1, Waits.Browser);

        // Publishing spans at least three deadlines (after every 20 events, wait for the next reconnect); channel b's
        // events are named, a's are not.
        var expected = new List<(string Channel, string Type, string Data)>();
        const int published = 60;
        for (var i = 1; i <= published; i++)
        {
            var channel = channels[(i * 7 % 5) % 2];
            var name = channel == channels[1] ? "tick" : null;
            await gateway.PublishAsync(channel, $"{channel}:{i}", name);
            expected.Add((channel, name ?? "message", $"{channel}:{i}"));
            if (i % 20 == 0)
            {
                await page.UntilOpensAsync(await page.OpensAsync() + 1, Waits.Browser);
            }
        }

        await page.UntilReceivedAsync(published, Waits.Browser);
        Assert.True(await page.OpensAsync() >= 3, $"the page opened its stream {await page.OpensAsync()} times; expected at least 3. {browser.ConsoleText}");

        // One more reconnect, then a last event: had the browser resumed from a wrong id, old events would come first.
        var opensBefore = await page.OpensAsync();
        await page.UntilOpensAsync(opensBefore + 1, Waits.Browser);
        await gateway.PublishAsync(channels[0], "last");
        expected.Add((channels[0], "message", "last"));
        await page.UntilReceivedAsync(published + 1, Waits.Browser);

        var received = await page.ReceivedWithChannelsAsync();

        // The page told each event's channel from lastEventId alone, and addEventListener('tick') saw b's named events.
        foreach (var channel in channels)
        {
            Assert.Equal(expected.Where(e => e.Channel == channel), received.Where(e => e.Channel == channel).Select(e => (e.Channel, e.Type, e.Data)));
        }

        Assert.Equal(published + 1, received.Length);
        var resumedFrom = gateway.StreamRequests.LastEventIds;
        Assert.Equal("", resumedFrom[0]);
        var receivedIds = received.Select(e => e.LastEventId).ToList();
        Assert.All(resumedFrom.Skip(1), id => Assert.Contains(id, receivedIds));
    }
}
