using System.Text.Json;

namespace Gateway.Functions.Tests;

/// <summary>
/// The checked-in OpenAPI document (<c>api/openapi.json</c>, served by the server host) describes the Functions app as
/// well: every HTTP function's route and method is an operation in it, and every operation is served by a function.
/// </summary>
public sealed class OpenApiRoutesTests
{
    // The Functions host's routePrefix (host.json), the same one MapGateway uses.
    private const string RoutePrefix = "/api/";

    [Fact]
    public void Every_http_function_is_an_operation_of_the_api_description_and_every_operation_is_a_function()
    {
        var functions = FunctionsMetadata.Load(TestLocations.FunctionsAppDirectory)
            .Where(f => f.Trigger.Type == "httpTrigger" && f.Trigger.Route?.Contains('*', StringComparison.Ordinal) != true)
            .SelectMany(f => f.Trigger.Methods.Select(m => $"{m.ToUpperInvariant()} {RoutePrefix}{f.Trigger.Route}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestLocations.RepositoryRoot, "api", "openapi.json")));
        var operations = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => $"{operation.Name.ToUpperInvariant()} {path.Name}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(5, functions.Count);
        Assert.Equal(functions, operations);
    }
}
