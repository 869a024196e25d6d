namespace Gateway.Core.Options;

/// <summary>What <c>GET /api/health</c> tells its caller. Bound from <c>Gateway:Health</c>.</summary>
public sealed class HealthOptions
{
    public const string SectionName = "Gateway:Health";

    /// <summary>
    /// True: every caller gets each check's description. False (default): only an authenticated caller does;
    /// anonymous callers get the statuses alone, and descriptions and exceptions go to the log.
    /// </summary>
    public bool Detailed { get; set; }
}
