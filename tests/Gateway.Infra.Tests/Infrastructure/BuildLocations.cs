using System.Reflection;

namespace Gateway.Infra.Tests.Infrastructure;

/// <summary>Paths the test project's build wrote into the assembly: the repository and the restored Bicep CLI.</summary>
internal static class BuildLocations
{
    public static string RepositoryRoot { get; } = Read("RepositoryRoot");

    public static string InfraFolder { get; } = Path.Combine(RepositoryRoot, "infra");

    public static string MainBicep { get; } = Path.Combine(InfraFolder, "main.bicep");

    /// <summary>The CLI from the Azure.Bicep.CommandLine.linux-x64 package (a PackageDownload of this project).</summary>
    public static string BicepExecutable { get; } = Path.Combine(Read("BicepPackageFolder"), "tools", "bicep");

    private static string Read(string key) =>
        typeof(BuildLocations).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"The test assembly has no '{key}' metadata; see Gateway.Infra.Tests.csproj.");
}
