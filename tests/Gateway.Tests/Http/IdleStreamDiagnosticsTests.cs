using Gateway.Server;
using Gateway.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Http;

/// <summary>
/// What the server host makes per request that an open stream would hold for its life: no hosting request log (and with
/// it no Activity and request scope) and no log scopes unless something shows them — each switchable back by configuration.
/// </summary>
public sealed class IdleStreamDiagnosticsTests
{
    [Fact]
    public async Task By_default_request_logs_are_off_and_scopes_are_not_captured()
    {
        await using var host = await GatewayTestHost.StartAsync();

        Assert.False(RequestLogsEnabled(host));
        Assert.False(CaptureScopes(host));
    }

    [Fact]
    public async Task Configuration_turns_request_logs_and_scope_capture_back_on()
    {
        await using var host = await GatewayTestHost.StartAsync(
            ($"Logging:LogLevel:{RequestLogDefault.Category}", "Information"),
            ("Logging:CaptureScopes", "true"));

        Assert.True(RequestLogsEnabled(host));
        Assert.True(CaptureScopes(host));
    }

    [Fact]
    public async Task Scopes_are_captured_when_the_console_shows_them()
    {
        await using var host = await GatewayTestHost.StartAsync(("Logging:Console:FormatterName", "simple"), ("Logging:Console:FormatterOptions:IncludeScopes", "true"));

        Assert.True(CaptureScopes(host));
    }

    private static bool RequestLogsEnabled(GatewayTestHost host) =>
        host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(RequestLogDefault.Category).IsEnabled(LogLevel.Critical);

    private static bool CaptureScopes(GatewayTestHost host) =>
        host.Services.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>().CurrentValue.CaptureScopes;
}
