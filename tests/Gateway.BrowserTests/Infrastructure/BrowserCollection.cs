namespace Gateway.BrowserTests.Infrastructure;

/// <summary>All browser tests share one chromium and run one after another (the machine has few cores).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Chromium>
{
    public const string Name = "Browser";
}
