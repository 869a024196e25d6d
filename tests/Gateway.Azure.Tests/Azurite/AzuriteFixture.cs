namespace Gateway.Azure.Tests.Azurite;

/// <summary>One in-memory Azurite shared by the tests of <see cref="AzuriteCollection"/>; each test uses its own table.</summary>
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

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
