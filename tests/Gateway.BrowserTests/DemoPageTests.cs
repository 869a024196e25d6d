using System.Text.RegularExpressions;
using Gateway.BrowserTests.Infrastructure;
using Gateway.Testing;
using Microsoft.Playwright;

namespace Gateway.BrowserTests;

/// <summary>
/// The demo page at <c>/</c>, used as a person would: it shows the configuration it runs on, follows several channels
/// in one stream, shows each event's channel, name and id, and publishes through its form. Each test leaves a screenshot
/// (see <see cref="ScreenshotDirectory"/>) for a person to look at.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DemoPageTests(Chromium chromium)
{
    /// <summary>When set, the screenshots go there instead of <c>TestResults/browser</c> under the repository root.</summary>
    public const string ScreenshotDirectoryVariable = "GATEWAY_BROWSER_SCREENSHOTS";

    private static string ScreenshotDirectory =>
        Environment.GetEnvironmentVariable(ScreenshotDirectoryVariable) is { Length: > 0 } directory
            ? directory
            : Path.Combine(BuildMetadata.RepositoryRoot, "TestResults", "browser");

    // A multi-channel id: {index}.{list}.{p0}_{p1}, each position {epoch}-{offset}, "-0" for a channel without a log yet.
    private const string Position = "[0-9a-z]+-";

    [Fact]
    public async Task The_demo_page_connects_shows_published_events_and_publishes_through_its_form()
    {
        await using var gateway = await BrowserGateway.StartAsync();
        await using var browser = await chromium.NewSessionAsync();
        var page = await browser.OpenAsync(gateway.BaseAddress);

        // The page connects to its default channel "demo" on load.
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("open", Within());
        await Assertions.Expect(page.Locator("#following")).ToHaveTextAsync("demo", Within());

        // An event from another producer appears with its channel, id, event name and data ("greeting" is listened for by default).
        await gateway.PublishAsync("demo", "hello from a producer", eventName: "greeting");
        var producerRow = await EventRowAsync(page, "hello from a producer");
        Assert.Equal(("demo", "greeting"), (producerRow.Channel, producerRow.EventName));
        Assert.Matches(new Regex($"^0\\.[0-9a-z]{{4}}\\.{Position}1$"), producerRow.Id);

        // The page's own form publishes to a followed channel, and the event comes back over the stream.
        await page.Locator("#data").FillAsync("hello from the form");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Assertions.Expect(page.Locator("#publishResult")).ToHaveTextAsync("accepted", Within());
        var formRow = await EventRowAsync(page, "hello from the form");
        Assert.Equal(("demo", "message"), (formRow.Channel, formRow.EventName));
        Assert.Matches(new Regex($"^0\\.[0-9a-z]{{4}}\\.{Position}2$"), formRow.Id);
        Assert.Equal(formRow.Id, await page.Locator("#lastId").TextContentAsync());

        await ScreenshotAsync(page, "gateway-demo-page.png");
    }

    [Fact]
    public async Task The_demo_page_shows_the_running_configuration_and_follows_two_channels_with_each_events_channel_name_and_id()
    {
        await using var gateway = await BrowserGateway.StartAsync();
        await using var browser = await chromium.NewSessionAsync();
        var page = await browser.OpenAsync(gateway.BaseAddress);

        // Which log and which bus, from /api/health (kinds only, no configuration values): the embedded default here.
        await Assertions.Expect(page.Locator("#config")).ToHaveTextAsync("log: in-memory · bus: in-memory · Healthy", Within());

        // A person types two channels and an event name to listen for, and connects: one stream follows both.
        await page.Locator("#channels").FillAsync("orders, news");
        await page.Locator("#names").FillAsync("created");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("open", Within());
        await Assertions.Expect(page.Locator("#following")).ToHaveTextAsync("orders, news", Within());

        await gateway.PublishAsync("orders", "order 1", eventName: "created");
        await gateway.PublishAsync("news", "headline 1");
        await gateway.PublishAsync("orders", "order 2");

        var order1 = await EventRowAsync(page, "order 1");
        var headline = await EventRowAsync(page, "headline 1");
        var order2 = await EventRowAsync(page, "order 2");

        Assert.Equal(("orders", "created"), (order1.Channel, order1.EventName));
        Assert.Equal(("news", "message"), (headline.Channel, headline.EventName));
        Assert.Equal(("orders", "message"), (order2.Channel, order2.EventName));

        // Each id names its channel by index and carries every channel's position: orders 1, then news 1, then orders 2.
        Assert.Matches(new Regex($"^0\\.[0-9a-z]{{4}}\\.{Position}1_-0$"), order1.Id);
        Assert.Matches(new Regex($"^1\\.[0-9a-z]{{4}}\\.{Position}1_{Position}1$"), headline.Id);
        Assert.Matches(new Regex($"^0\\.[0-9a-z]{{4}}\\.{Position}2_{Position}1$"), order2.Id);
        Assert.Equal(order2.Id, await page.Locator("#lastId").TextContentAsync());

        // The publish form offers exactly the followed channels.
        Assert.Equal(["orders", "news"], await page.Locator("#publishChannel option").AllTextContentsAsync());

        var path = await ScreenshotAsync(page, "gateway-demo-page-two-channels.png");
        Assert.True(new FileInfo(path).Length > 0, $"The screenshot {path} is empty.");
    }

    [Fact]
    public async Task A_refused_stream_shows_the_problems_detail_instead_of_a_silent_closed()
    {
        await using var gateway = await BrowserGateway.StartAsync();
        await using var browser = await chromium.NewSessionAsync();

        // "/" is not allowed in a channel name: the stream answers 400, which EventSource alone would only report as closed.
        var page = await browser.OpenAsync(new Uri(gateway.BaseAddress, "/?channel=orders&channel=bad%2Fname"));

        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("closed", Within());
        await Assertions.Expect(page.Locator("#problem")).ToContainTextAsync("400 Invalid channel name", new() { Timeout = Waits.Milliseconds(Waits.Browser) });
        await Assertions.Expect(page.Locator("#problem")).ToContainTextAsync("Channel 2 of the stream", new() { Timeout = Waits.Milliseconds(Waits.Browser) });
    }

    private static LocatorAssertionsToHaveTextOptions Within() => new() { Timeout = Waits.Milliseconds(Waits.Browser) };

    /// <summary>Waits for the table row whose data cell is <paramref name="data"/> and reads what a person sees in it.</summary>
    private static async Task<(string Channel, string EventName, string Id)> EventRowAsync(IPage page, string data)
    {
        var row = page.Locator("#events tr").Filter(new() { Has = page.Locator("td.data", new() { HasTextString = data }) });
        await Assertions.Expect(row).ToHaveCountAsync(1, new() { Timeout = Waits.Milliseconds(Waits.Browser) });
        return (
            await row.Locator("td.channel").InnerTextAsync(),
            await row.Locator("td.event").InnerTextAsync(),
            await row.Locator("td.id").InnerTextAsync());
    }

    private static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }
}
