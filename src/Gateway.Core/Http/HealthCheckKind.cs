namespace Gateway.Core.Http;

/// <summary>
/// What a health check stands for — which log, which bus — carried as a tag on its registration and shown by
/// <c>GET /api/health</c> to every caller. A fixed word chosen by the code (<c>in-memory</c>, <c>table-storage</c>,
/// <c>service-bus</c>), never configuration: it names no host, account or key.
/// </summary>
public static class HealthCheckKind
{
    private const string TagPrefix = "kind:";

    public const string InMemory = "in-memory";

    public const string TableStorage = "table-storage";

    public const string ServiceBus = "service-bus";

    /// <summary>The registration tags for a check of <paramref name="kind"/>.</summary>
    public static string[] Tags(string kind) => [TagPrefix + kind];

    /// <summary>The kind among a check's tags, if it has one.</summary>
    internal static string? Of(IEnumerable<string> tags) =>
        tags.FirstOrDefault(t => t.StartsWith(TagPrefix, StringComparison.Ordinal))?[TagPrefix.Length..];
}
