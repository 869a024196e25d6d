using System.Text.RegularExpressions;
using Gateway.BrowserTests.Infrastructure;
using Gateway.Testing;
using Microsoft.Playwright;

namespace Gateway.BrowserTests;

/// <summary>The demo page at <c>/</c>, used as a person would: it connects, shows events and publishes through its form.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DemoPageTests(Chromium chromium)
{
    // When set, the test leaves a screenshot of the demo page there, for a person to look at.
    private const string ScreenshotDirectoryVariable = "GATEWAY_BROWSER_SCREENSHOTS";

    [Fact]
    public async Task The_demo_page_connects_shows_published_events_and_publishes_through_its_form()
    {
        await using var gateway = await BrowserGateway.StartAsync();
        await using var browser = await chromium.NewSessionAsync();
        var page = await browser.OpenAsync(gateway.BaseAddress);

        // The page connects to its default channel "demo" on load.
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("open", new() { Timeout = Waits.Milliseconds(Waits.Browser) });

        // An event from another producer appears with its id, event name and data ("greeting" is listened for by default).
        await gateway.PublishAsync("demo", "hello from a producer", eventName: "greeting");
        var producerRow = await EventRowAsync(page, "hello from a producer");
        Assert.Equal("greeting", producerRow.EventName);
        Assert.Matches(Offset(1), producerRow.Id);

        // The page's own form publishes, and the event comes back over the stream.
        await page.Locator("#data").FillAsync("hello from the form");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Assertions.Expect(page.Locator("#publishResult")).ToHaveTextAsync("accepted", new() { Timeout = Waits.Milliseconds(Waits.Browser) });
        var formRow = await EventRowAsync(page, "hello from the form");
        Assert.Equal("message", formRow.EventName);
        Assert.Matches(Offset(2), formRow.Id);
        Assert.Equal(formRow.Id, await page.Locator("#lastId").TextContentAsync());

        if (Environment.GetEnvironmentVariable(ScreenshotDirectoryVariable) is { Length: > 0 } directory)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(directory, "gateway-demo-page.png"), FullPage = true });
        }
    }

    private static Regex Offset(int offset) => new($"^[^-]+-{offset}$");

    /// <summary>Waits for the table row whose data cell is <paramref name="data"/> and reads its id and event cells.</summary>
    private static async Task<(string Id, string EventName)> EventRowAsync(IPage page, string data)
    {
        var row = page.Locator("#events tr").Filter(new() { Has = page.Locator("td.data", new() { HasTextString = data }) });
        await Assertions.Expect(row).ToHaveCountAsync(1, new() { Timeout = Waits.Milliseconds(Waits.Browser) });
        var cells = await row.Locator("td").AllTextContentsAsync();
        return (cells[1], cells[2]);
    }
}
