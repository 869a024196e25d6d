using Gateway.Testing.Azurite;

namespace Gateway.Client.Tests.Infrastructure;

/// <summary>The tests that share one in-memory Azurite (xunit wants collection definitions in the test assembly).</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
