using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Gateway.Functions.Deadline;

/// <summary>
/// Reads <c>functionTimeout</c> the way the host does: from host.json in the app directory, overridden by the
/// <c>AzureFunctionsJobHost__functionTimeout</c> app setting. A value that cannot be read stops the start with
/// a message naming the value and its source, rather than giving streams a wrong deadline.
/// </summary>
public static class FunctionTimeoutReader
{
    /// <summary>The configuration key of the override (app setting <c>AzureFunctionsJobHost__functionTimeout</c>).</summary>
    public const string OverrideKey = "AzureFunctionsJobHost:functionTimeout";

    private const string PropertyName = "functionTimeout";
    private const string Unlimited = "-1";

    private static readonly JsonDocumentOptions HostJsonParsing = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static FunctionTimeout Read(string appDirectory, IConfiguration configuration)
    {
        if (configuration[OverrideKey] is { Length: > 0 } overridden)
        {
            return Parse(overridden, "app setting AzureFunctionsJobHost__functionTimeout");
        }

        var path = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(path))
        {
            return new FunctionTimeout(FunctionTimeout.DefaultWhenNotSet, $"default (no host.json in {appDirectory})");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), HostJsonParsing);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{path} is not valid JSON, so functionTimeout cannot be read: {ex.Message}", ex);
        }

        using (document)
        {
            var source = $"host.json ({path})";
            if (document.RootElement.ValueKind != JsonValueKind.Object || FindProperty(document.RootElement) is not { } value
                || value.ValueKind == JsonValueKind.Null)
            {
                return new FunctionTimeout(FunctionTimeout.DefaultWhenNotSet, $"default (functionTimeout not set in {source})");
            }

            return value.ValueKind switch
            {
                JsonValueKind.String => Parse(value.GetString()!, source),
                JsonValueKind.Number => Parse(value.GetRawText(), source),
                _ => throw Malformed(value.GetRawText(), source),
            };
        }
    }

    /// <summary>The host reads configuration case-insensitively; so does this.</summary>
    private static JsonElement? FindProperty(JsonElement root)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals(PropertyName) || property.Name.Equals(PropertyName, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static FunctionTimeout Parse(string text, string source)
    {
        var trimmed = text.Trim();
        if (trimmed == Unlimited)
        {
            return new FunctionTimeout(null, source);
        }

        // Only the hh:mm:ss form: a bare number would parse as days, which is never what was meant.
        if (trimmed.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out var limit)
            && limit > TimeSpan.Zero)
        {
            return new FunctionTimeout(limit, source);
        }

        throw Malformed(text, source);
    }

    private static InvalidOperationException Malformed(string text, string source) =>
        new($"functionTimeout '{text}' from {source} is not a positive time span (hh:mm:ss, e.g. 00:10:00) or -1 (unlimited).");
}
