namespace Gateway.Testing.Hosting;

/// <summary>
/// Settings (configuration keys, e.g. <c>Gateway:Stream:MaxDuration</c>) as the command line of the server host,
/// which is how they reach <c>GatewayServer.Build</c> before it registers anything: the transports are chosen at
/// registration from <c>EventLogStorage</c> and <c>EventBus</c>, so a setting added to the builder later would be too late.
/// </summary>
public static class GatewayArguments
{
    /// <summary>Quiet hosts: warnings and errors only, and no "Now listening on" lines.</summary>
    public static readonly IReadOnlyList<(string Key, string Value)> QuietLogging =
    [
        ("Logging:LogLevel:Default", "Warning"),
        ("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning"),
    ];

    /// <summary><c>--urls</c>, the quiet logging, then the settings (a later key wins), as <c>--Key=Value</c>.</summary>
    public static string[] For(string urls, IEnumerable<(string Key, string Value)> settings)
    {
        var args = new List<string> { "--urls", urls };
        args.AddRange(QuietLogging.Concat(settings).Select(s => $"--{s.Key}={s.Value}"));
        return [.. args];
    }

    /// <summary>Configuration pairs (null values, such as section entries, left out) as settings.</summary>
    public static IEnumerable<(string Key, string Value)> From(IEnumerable<KeyValuePair<string, string?>> configuration) =>
        configuration.Where(s => s.Value is not null).Select(s => (s.Key, s.Value!));
}
