using System.Reflection;

namespace Gateway.Functions.Tests;

/// <summary>Where the Functions app's build output and the repository are, as recorded by MSBuild at build time.</summary>
internal static class TestLocations
{
    public static string FunctionsAppDirectory => Read("FunctionsAppDirectory");

    public static string RepositoryRoot => Read("RepositoryRoot");

    private static string Read(string key)
    {
        var value = typeof(TestLocations).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == key)?.Value;
        Assert.False(string.IsNullOrEmpty(value), $"The test assembly records no {key}; see EmbedTestedLocations in the csproj.");
        Assert.True(Directory.Exists(value), $"{key} {value} does not exist.");
        return value;
    }
}
