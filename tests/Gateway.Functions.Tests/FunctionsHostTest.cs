namespace Gateway.Functions.Tests;

/// <summary>
/// A test class whose every test gets its own Functions app on a real Kestrel pipeline (<see cref="FunctionsTestHost"/>)
/// with the given <c>functionTimeout</c> and settings, a client for it, and a token that bounds the test's calls.
/// </summary>
public abstract class FunctionsHostTest(string functionTimeout, IReadOnlyDictionary<string, string?> settings) : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    private protected FunctionsTestHost Host { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    /// <summary>Cancelled a minute after the test began: every call of the test is bounded by it.</summary>
    protected CancellationToken TestCancellation => _timeout.Token;

    public async Task InitializeAsync()
    {
        Host = await FunctionsTestHost.StartAsync(functionTimeout, settings);
        Client = Host.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        _timeout.Dispose();
    }
}
