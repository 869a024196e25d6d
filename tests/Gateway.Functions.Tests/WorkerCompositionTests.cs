using System.Text.Json;
using Gateway.Core.Options;
using Gateway.Functions.Functions;
using Gateway.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Core.FunctionMetadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Functions.Tests;

/// <summary>
/// The real worker host, built as <c>Program</c> builds it (not started: that needs the Functions host's gRPC
/// channel). Checks what the worker itself would tell the host, and that its container serves every function.
/// </summary>
public sealed class WorkerCompositionTests : IDisposable
{
    private readonly IHost _worker = GatewayFunctionsApp.CreateBuilder([], TestLocations.FunctionsAppDirectory).Build();

    public void Dispose() => _worker.Dispose();

    [Fact]
    public async Task Worker_indexing_reports_the_same_functions_and_bindings_as_the_build_metadata()
    {
        // workerIndexing is on (worker.config.json): the host asks the worker for its functions at start-up.
        var indexed = await _worker.Services.GetRequiredService<IFunctionMetadataManager>().GetFunctionMetadataAsync(TestLocations.FunctionsAppDirectory);
        var built = FunctionsMetadata.Load(TestLocations.FunctionsAppDirectory);

        Assert.Equal(built.Select(f => f.Name).Order(StringComparer.Ordinal), indexed.Select(f => f.Name!).Order(StringComparer.Ordinal));
        foreach (var function in built)
        {
            var worker = indexed.Single(f => f.Name == function.Name);
            Assert.Equal(function.EntryPoint, worker.EntryPoint);
            var trigger = worker.RawBindings!.Select(raw => JsonDocument.Parse(raw).RootElement)
                .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
            Assert.Equal(function.Trigger.Type, trigger.GetProperty("type").GetString());
            Assert.Equal(function.Trigger.Route, trigger.TryGetProperty("route", out var route) ? route.GetString() : null);
            Assert.Equal(function.Trigger.AuthLevel, trigger.TryGetProperty("authLevel", out var auth) ? auth.GetString() : null);
            Assert.Equal(function.Trigger.Schedule, trigger.TryGetProperty("schedule", out var schedule) ? schedule.GetString() : null);
            Assert.Equal(function.Trigger.Methods, trigger.TryGetProperty("methods", out var methods) ? methods.EnumerateArray().Select(m => m.GetString()!).ToList() : []);
        }
    }

    [Fact]
    public void Worker_container_passes_start_up_validation_and_creates_every_function_class()
    {
        _worker.Services.GetRequiredService<IStartupValidator>().Validate();

        // The app's host.json says 00:30:00; the default margin is 30 s.
        Assert.Equal(TimeSpan.FromMinutes(29.5), _worker.Services.GetRequiredService<IOptions<StreamOptions>>().Value.MaxDuration);

        using var scope = _worker.Services.CreateScope();
        foreach (var type in new[] { typeof(StreamFunction), typeof(PublishFunction), typeof(HealthFunction), typeof(RetentionFunction) })
        {
            Assert.IsType(type, ActivatorUtilities.CreateInstance(scope.ServiceProvider, type));
        }
    }
}
