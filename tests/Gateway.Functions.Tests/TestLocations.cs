using Gateway.Testing;

namespace Gateway.Functions.Tests;

/// <summary>Where the Functions app's build output and the repository are, as recorded by MSBuild at build time.</summary>
internal static class TestLocations
{
    public static string FunctionsAppDirectory => BuildMetadata.Read(typeof(TestLocations).Assembly, "FunctionsAppDirectory");

    public static string RepositoryRoot => BuildMetadata.RepositoryRoot;
}
