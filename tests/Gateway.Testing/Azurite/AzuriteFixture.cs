using Xunit;

namespace Gateway.Testing.Azurite;

/// <summary>
/// One in-memory Azurite shared by the tests of a collection; each test uses its own table
/// (<see cref="Hosting.TableLogSettings.NewTableName"/>). xunit wants the collection definition in the test
/// assembly itself: <c>[CollectionDefinition(Name)] class AzuriteCollection : ICollectionFixture&lt;AzuriteFixture&gt;</c>.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteProcess? _azurite;

    public AzuriteProcess Azurite => _azurite ?? throw new InvalidOperationException("Azurite has not started.");

    public async Task InitializeAsync() => _azurite = await AzuriteProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
