using Gateway.Testing;

namespace Gateway.Infra.Tests.Infrastructure;

/// <summary>Paths the builds wrote into the assemblies: the repository (the kit's) and the restored Bicep CLI (this project's).</summary>
internal static class BuildLocations
{
    public static string RepositoryRoot { get; } = BuildMetadata.RepositoryRoot;

    public static string InfraFolder { get; } = Path.Combine(RepositoryRoot, "infra");

    public static string MainBicep { get; } = Path.Combine(InfraFolder, "main.bicep");

    /// <summary>The CLI from the Azure.Bicep.CommandLine.linux-x64 package (a PackageDownload of this project).</summary>
    public static string BicepExecutable { get; } =
        Path.Combine(BuildMetadata.Read(typeof(BuildLocations).Assembly, "BicepPackageFolder", directoryMustExist: false), "tools", "bicep");
}
