using System.Text.Json.Nodes;

namespace Gateway.Infra.Tests.Infrastructure;

/// <summary>infra/main.bicep compiled to ARM JSON by the real Bicep CLI, once for the test run.</summary>
public sealed class CompiledInfra : IAsyncLifetime
{
    private JsonObject? _root;

    internal JsonObject Root => _root ?? throw new InvalidOperationException("Not compiled yet.");

    /// <summary>What <c>bicep build</c> printed besides the template: warnings and errors, one a line.</summary>
    internal IReadOnlyList<string> BuildDiagnostics { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var output = Path.Combine(Path.GetTempPath(), $"gateway-infra-{Guid.NewGuid():N}.json");
        try
        {
            var result = await BicepCli.RunAsync("build", BuildLocations.MainBicep, "--outfile", output);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"bicep build failed ({result.ExitCode}):\n{result.Output}");
            }

            BuildDiagnostics = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            _root = JsonNode.Parse(await File.ReadAllTextAsync(output))!.AsObject();
        }
        finally
        {
            File.Delete(output);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// The top-level template with the values of infra/main.parameters.json (azd's <c>${VAR}</c> placeholders filled
    /// as azd would), plus <paramref name="overrides"/>.
    /// </summary>
    internal TemplateScope Deploy(IReadOnlyDictionary<string, JsonNode?>? overrides = null)
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(BuildLocations.InfraFolder, "main.parameters.json")))!;
        var azdEnvironment = new Dictionary<string, string> { ["AZURE_ENV_NAME"] = "ci", ["AZURE_LOCATION"] = "westeurope" };
        var given = file["parameters"]!.AsObject().ToDictionary(
            p => p.Key,
            p => (JsonNode?)JsonValue.Create(azdEnvironment.Aggregate(p.Value!["value"]!.GetValue<string>(), (text, v) => text.Replace($"${{{v.Key}}}", v.Value, StringComparison.Ordinal))));
        foreach (var (name, value) in overrides ?? new Dictionary<string, JsonNode?>())
        {
            given[name] = value;
        }

        return new TemplateScope(Root, given);
    }

    /// <summary>The function app's settings as the <c>Microsoft.Web/sites/config</c> 'appsettings' resource writes them.</summary>
    internal static IReadOnlyDictionary<string, string> AppSettings(TemplateScope functionApp)
    {
        var config = functionApp.Resources("Microsoft.Web/sites/config").Single();
        var settings = functionApp.Evaluator.Evaluate(config["properties"])!.AsObject();
        return settings.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
    }
}
