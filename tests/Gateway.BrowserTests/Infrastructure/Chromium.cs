using Gateway.Testing;
using Microsoft.Playwright;

namespace Gateway.BrowserTests.Infrastructure;

/// <summary>
/// Debian's headless chromium driven by Playwright, started once for all browser tests (starting it is the slow
/// part); each test gets its own isolated <see cref="BrowserSession"/>. Playwright never downloads a browser here: it
/// starts <see cref="ExecutablePath"/>, and a missing chromium fails the tests (CI installs it with
/// <c>apt-get install -y chromium</c>). Playwright gives the browser a fresh temporary profile and deletes it on close.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    // Without the background-networking flags chromium keeps dialling Google's hosts, which this closed network refuses.
    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: install Debian's chromium (apt-get install -y chromium). The browser tests need it and never download one.");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Arguments,
            Timeout = Waits.Milliseconds(Waits.Startup),
        });
    }

    /// <summary>A new browser context: no cookies, cache or storage shared with other tests.</summary>
    public async Task<BrowserSession> NewSessionAsync()
    {
        var browser = _browser ?? throw new InvalidOperationException("Chromium has not been started.");
        var context = await browser.NewContextAsync();
        context.SetDefaultTimeout(Waits.Milliseconds(Waits.Browser));
        return new BrowserSession(context);
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_browser is not null)
            {
                await _browser.CloseAsync();
            }
        }
        finally
        {
            _playwright?.Dispose();
        }
    }
}
