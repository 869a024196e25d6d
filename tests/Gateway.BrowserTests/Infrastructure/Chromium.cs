using Microsoft.Playwright;

namespace Gateway.BrowserTests.Infrastructure;

/// <summary>
/// Debian's headless chromium driven by Playwright, with a fresh user data directory that is deleted afterwards.
/// Playwright never downloads a browser here: it starts <see cref="ExecutablePath"/>, and a missing chromium fails the
/// test (CI installs it with <c>apt-get install -y chromium</c>).
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    // Without the background-networking flags chromium keeps dialling Google's hosts, which this closed network refuses.
    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private readonly IPlaywright _playwright;
    private readonly IBrowserContext _context;
    private readonly string _userDataDir;
    private readonly List<string> _console = [];

    private Chromium(IPlaywright playwright, IBrowserContext context, string userDataDir)
    {
        _playwright = playwright;
        _context = context;
        _userDataDir = userDataDir;
    }

    /// <summary>What the pages wrote to the console and any page errors, for failure messages.</summary>
    public string ConsoleText
    {
        get
        {
            lock (_console)
            {
                return _console.Count == 0 ? "(console empty)" : string.Join(Environment.NewLine, _console);
            }
        }
    }

    public static async Task<Chromium> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: install Debian's chromium (apt-get install -y chromium). The browser tests need it and do not download one.");
        }

        var userDataDir = Directory.CreateTempSubdirectory("gateway-chromium-").FullName;
        var playwright = await Playwright.CreateAsync();
        try
        {
            var context = await playwright.Chromium.LaunchPersistentContextAsync(userDataDir, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Arguments,
                Timeout = Waits.Milliseconds(Waits.Browser),
            });
            context.SetDefaultTimeout(Waits.Milliseconds(Waits.Browser));
            return new Chromium(playwright, context, userDataDir);
        }
        catch
        {
            playwright.Dispose();
            Directory.Delete(userDataDir, recursive: true);
            throw;
        }
    }

    /// <summary>Opens <paramref name="address"/> in a new tab and waits for it to load.</summary>
    public async Task<IPage> OpenAsync(Uri address)
    {
        var page = await _context.NewPageAsync();
        page.Console += (_, message) => Note($"console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => Note($"page error: {error}");
        var response = await page.GotoAsync(address.ToString());
        if (response is null || !response.Ok)
        {
            throw new InvalidOperationException($"{address} answered {response?.Status.ToString() ?? "nothing"}.");
        }

        return page;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _context.CloseAsync();
        }
        finally
        {
            _playwright.Dispose();
            Directory.Delete(_userDataDir, recursive: true);
        }
    }

    private void Note(string line)
    {
        lock (_console)
        {
            _console.Add(line);
        }
    }
}
