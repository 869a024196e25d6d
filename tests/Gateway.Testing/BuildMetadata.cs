using System.Reflection;

namespace Gateway.Testing;

/// <summary>
/// Paths MSBuild wrote into an assembly at build time (<c>AssemblyMetadata</c>), so tests find the repository and
/// build outputs wherever the build put them (e.g. with <c>-artifacts-path</c>), not relative to the test binaries.
/// </summary>
public static class BuildMetadata
{
    /// <summary>The repository's root folder, as the kit's own build recorded it.</summary>
    public static string RepositoryRoot => Read(typeof(BuildMetadata).Assembly, "RepositoryRoot");

    /// <summary>The value <paramref name="assembly"/> recorded under <paramref name="key"/>, a folder that exists unless told otherwise.</summary>
    public static string Read(Assembly assembly, string key, bool directoryMustExist = true)
    {
        var name = assembly.GetName().Name;
        var value = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value;
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidOperationException($"{name} records no '{key}' (AssemblyMetadata): see its project file.");
        }

        if (directoryMustExist && !Directory.Exists(value))
        {
            throw new InvalidOperationException($"{key} {value}, recorded in {name}, does not exist.");
        }

        return value;
    }
}
