using System.Text.Json;

namespace Gateway.Functions.Tests;

/// <summary>The parts of the build's generated <c>functions.metadata</c> the tests check and route by.</summary>
internal sealed record FunctionEntry(string Name, string ScriptFile, string EntryPoint, IReadOnlyList<BindingEntry> Bindings)
{
    public BindingEntry Trigger => Bindings.Single(b => b.Direction == "In" && b.Type.EndsWith("Trigger", StringComparison.Ordinal));
}

internal sealed record BindingEntry(string Name, string Type, string Direction, string? AuthLevel, IReadOnlyList<string> Methods, string? Route, string? Schedule);

internal static class FunctionsMetadata
{
    public static string PathIn(string appDirectory) => Path.Combine(appDirectory, "functions.metadata");

    public static IReadOnlyList<FunctionEntry> Load(string appDirectory)
    {
        var path = PathIn(appDirectory);
        Assert.True(File.Exists(path), $"The Worker SDK wrote no functions.metadata to {appDirectory}.");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return [.. document.RootElement.EnumerateArray().Select(ReadFunction)];
    }

    private static FunctionEntry ReadFunction(JsonElement f) => new(
        f.GetProperty("name").GetString()!,
        f.GetProperty("scriptFile").GetString()!,
        f.GetProperty("entryPoint").GetString()!,
        [.. f.GetProperty("bindings").EnumerateArray().Select(ReadBinding)]);

    private static BindingEntry ReadBinding(JsonElement b) => new(
        b.GetProperty("name").GetString()!,
        b.GetProperty("type").GetString()!,
        b.GetProperty("direction").GetString()!,
        Optional(b, "authLevel"),
        b.TryGetProperty("methods", out var methods) ? [.. methods.EnumerateArray().Select(m => m.GetString()!)] : [],
        Optional(b, "route"),
        Optional(b, "schedule"));

    private static string? Optional(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;
}
