using Microsoft.Playwright;

namespace Gateway.BrowserTests.Infrastructure;

/// <summary>One test's isolated browser context; it records the pages' console output for failure messages.</summary>
public sealed class BrowserSession(IBrowserContext context) : IAsyncDisposable
{
    private readonly List<string> _console = [];

    /// <summary>What the pages wrote to the console, and any page errors.</summary>
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

    /// <summary>Opens <paramref name="address"/> in a new tab and waits for it to load.</summary>
    public async Task<IPage> OpenAsync(Uri address)
    {
        var page = await context.NewPageAsync();
        page.Console += (_, message) => Note($"console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => Note($"page error: {error}");
        var response = await page.GotoAsync(address.ToString());
        if (response is null || !response.Ok)
        {
            throw new InvalidOperationException($"{address} answered {response?.Status.ToString() ?? "nothing"}.");
        }

        return page;
    }

    public ValueTask DisposeAsync() => new(context.CloseAsync());

    private void Note(string line)
    {
        lock (_console)
        {
            _console.Add(line);
        }
    }
}
