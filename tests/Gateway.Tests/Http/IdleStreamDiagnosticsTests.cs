using System.Collections.Concurrent;
using Gateway.Server;
using Gateway.Tests.Access;
using Gateway.Testing.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Http;

/// <summary>
/// What the server host makes per request that an open stream would hold for its life: no hosting request log (and with
/// it no Activity and request scope) and no log scopes unless something shows them — each switchable back by
/// configuration — and no request DI scope, items, error-page or query state on a stream route.
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

    [Fact]
    public async Task An_open_stream_holds_no_request_scope_items_error_page_or_query_state()
    {
        var requests = new RequestCapture();
        await using var host = await GatewayTestHost.StartAsync(builder => builder.Services.AddSingleton<IStartupFilter>(requests));
        await using var stream = await host.OpenStreamAsync("idle");
        var context = requests.Single(GatewayTestHost.StreamPath("idle"));

        // Each of these is made on first use and kept until the request ends: the request's DI scope (the CORS
        // middleware's provider, a handler's service parameter), the items (CORS marks them), the status-code-pages
        // feature and the parsed query.
        Assert.Null(context.Features.Get<IServiceProvidersFeature>());
        Assert.Null(context.Features.Get<IItemsFeature>());
        Assert.Null(context.Features.Get<IStatusCodePagesFeature>());
        Assert.Null(context.Features.Get<IQueryFeature>());
    }

    [Fact]
    public async Task A_stream_logs_under_its_channel_and_request_id_when_a_logger_keeps_scopes()
    {
        // A provider the gateway does not know is taken to show scopes, so they are captured.
        var logs = new CapturingLoggerProvider();
        await using var host = await GatewayTestHost.StartAsync(
            builder => builder.Logging.AddProvider(logs), ("Logging:LogLevel:Gateway.Core.Streaming", "Information"));

        // An id of a log the channel never had: the stream logs a reset (Information) before it sends one.
        await using var stream = await host.OpenStreamAsync("scoped", "abc-5");
        await stream.NextAsync();

        Assert.Contains(logs.Entries, e => e.Contains("Stream reset", StringComparison.Ordinal) && e.Contains("scope Channel scoped, stream 0H", StringComparison.Ordinal));
    }

    private static bool RequestLogsEnabled(GatewayTestHost host) =>
        host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(RequestLogDefault.Category).IsEnabled(LogLevel.Critical);

    private static bool CaptureScopes(GatewayTestHost host) =>
        host.Services.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>().CurrentValue.CaptureScopes;

    /// <summary>Keeps every request's context, from outside the server's own pipeline, without touching its features.</summary>
    private sealed class RequestCapture : IStartupFilter
    {
        private readonly ConcurrentQueue<HttpContext> _contexts = new();

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(inner => context =>
            {
                _contexts.Enqueue(context);
                return inner(context);
            });
            next(app);
        };

        public HttpContext Single(string path) => Assert.Single(_contexts, c => c.Request.Path == path);
    }
}
