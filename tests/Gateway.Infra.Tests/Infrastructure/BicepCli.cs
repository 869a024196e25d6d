using System.Diagnostics;

namespace Gateway.Infra.Tests.Infrastructure;

internal sealed record BicepResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Output => StandardOutput + StandardError;
}

/// <summary>Runs the Bicep CLI restored from NuGet, bounded in time; it needs no network for local modules.</summary>
internal static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static async Task<BicepResult> RunAsync(params string[] arguments)
    {
        if (!File.Exists(BuildLocations.BicepExecutable))
        {
            throw new InvalidOperationException(
                $"The Bicep CLI is not at {BuildLocations.BicepExecutable}: run 'dotnet restore' on Gateway.Infra.Tests (it downloads Azure.Bicep.CommandLine.linux-x64).");
        }

        var start = new ProcessStartInfo(BuildLocations.BicepExecutable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = BuildLocations.InfraFolder,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // No telemetry or update checks from a build machine.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The Bicep CLI did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}.");
        }

        return new BicepResult(process.ExitCode, await stdout, await stderr);
    }
}
