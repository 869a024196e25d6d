using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Logging.Debug;
using Microsoft.Extensions.Logging.EventSource;
using Microsoft.Extensions.Options;
using OpenTelemetry.Logs;

namespace Gateway.Hosting.Telemetry;

/// <summary>
/// Captures log scopes only when a logger shows them (<see cref="LoggerFilterOptions.CaptureScopes"/>). Every open stream
/// holds its scopes for its whole life — Kestrel's connection scope and the stream's own, two small objects each — so
/// scopes nobody reads cost memory per idle stream. Shown by: the console with <c>IncludeScopes</c>, the OpenTelemetry
/// export (which includes them), and any provider this does not know. Not by Debug, or EventSource (dotnet-trace,
/// dotnet-monitor): set <see cref="ConfigurationKey"/> to <c>true</c> to capture them anyway, <c>false</c> never to.
/// </summary>
internal sealed class LogScopeCapture(
    IConfiguration configuration,
    IEnumerable<ILoggerProvider> providers,
    IOptionsMonitor<SimpleConsoleFormatterOptions> simpleConsole,
    IOptionsMonitor<JsonConsoleFormatterOptions> jsonConsole,
    IOptionsMonitor<ConsoleFormatterOptions> systemdConsole,
    IOptionsMonitor<ConsoleLoggerOptions> console,
    IOptionsMonitor<OpenTelemetryLoggerOptions> openTelemetry) : IPostConfigureOptions<LoggerFilterOptions>
{
    /// <summary>Overrides the choice: <c>true</c> always captures scopes, <c>false</c> never does.</summary>
    public const string ConfigurationKey = "Logging:CaptureScopes";

    public void PostConfigure(string? name, LoggerFilterOptions options) =>
        options.CaptureScopes = configuration.GetValue<bool?>(ConfigurationKey) ?? providers.Any(Shows);

    private bool Shows(ILoggerProvider provider) => provider switch
    {
        ConsoleLoggerProvider => ConsoleShowsScopes(),
        OpenTelemetryLoggerProvider => openTelemetry.CurrentValue.IncludeScopes,
        DebugLoggerProvider or EventSourceLoggerProvider => false,
        _ => true,
    };

    private bool ConsoleShowsScopes()
    {
        var options = console.CurrentValue;
        return options.FormatterName switch
        {
            // No formatter named: the console takes the older options' IncludeScopes; either one showing scopes counts.
#pragma warning disable CS0618
            null => options.IncludeScopes || simpleConsole.CurrentValue.IncludeScopes || systemdConsole.CurrentValue.IncludeScopes,
#pragma warning restore CS0618
            ConsoleFormatterNames.Simple => simpleConsole.CurrentValue.IncludeScopes,
            ConsoleFormatterNames.Json => jsonConsole.CurrentValue.IncludeScopes,
            ConsoleFormatterNames.Systemd => systemdConsole.CurrentValue.IncludeScopes,

            // A formatter of the host's own: it may show them.
            _ => true,
        };
    }
}
