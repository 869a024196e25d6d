using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Core.Http;

/// <summary>
/// The body of <c>GET /api/health</c>: the overall status and each check's status and kind (which log, which bus) for
/// everyone; a check's description (which can name hosts or carry an error's text) only for a caller allowed the detail.
/// </summary>
internal static class HealthResponse
{
    public static Task WriteAsync(HttpContext context, HealthReport report, bool detailed)
    {
        var body = new HealthBody(
            report.Status.ToString(),
            report.Entries.ToDictionary(e => e.Key, e => new HealthEntry(e.Value.Status.ToString(), HealthCheckKind.Of(e.Value.Tags), detailed ? e.Value.Description : null)));
        return context.Response.WriteAsJsonAsync(body, HealthJsonContext.Default.HealthBody, cancellationToken: context.RequestAborted);
    }
}

/// <summary>The health report: <c>Healthy</c>, <c>Degraded</c> or <c>Unhealthy</c>, and each check by name (<c>log</c>, <c>bus</c>).</summary>
internal sealed record HealthBody(string Status, Dictionary<string, HealthEntry> Checks);

/// <summary>One check: its status, its kind (<see cref="HealthCheckKind"/>), and its description when the caller may see it.</summary>
internal sealed record HealthEntry(string Status, string? Kind, string? Description);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HealthBody))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
