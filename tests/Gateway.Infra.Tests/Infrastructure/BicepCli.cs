using Gateway.Testing.Processes;

namespace Gateway.Infra.Tests.Infrastructure;

/// <summary>Runs the Bicep CLI restored from NuGet, bounded in time; it needs no network for local modules.</summary>
internal static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static Task<ChildProcessResult> RunAsync(params string[] arguments)
    {
        if (!File.Exists(BuildLocations.BicepExecutable))
        {
            throw new InvalidOperationException(
                $"The Bicep CLI is not at {BuildLocations.BicepExecutable}: run 'dotnet restore' on Gateway.Infra.Tests (it downloads Azure.Bicep.CommandLine.linux-x64).");
        }

        return ChildProcess.RunAsync(
            new ChildProcessStart(BuildLocations.BicepExecutable, arguments)
            {
                WorkingDirectory = BuildLocations.InfraFolder,

                // No telemetry or update checks from a build machine.
                Environment = new Dictionary<string, string>
                {
                    ["BICEP_TELEMETRY_ENABLED"] = "false",
                    ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                },
            },
            Timeout);
    }
}
