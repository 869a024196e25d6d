using System.Globalization;
using System.Text.Json;
using Gateway.Azure.ServiceBus;
using Gateway.Azure.Tables;
using Gateway.Core.Bus;
using Gateway.Core.Hub;
using Gateway.Core.Log;
using Gateway.Core.Options;
using Gateway.Functions.Deadline;
using Gateway.Functions.Functions;
using Gateway.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.Core.FunctionMetadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
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
    public void Worker_container_passes_start_up_validation_and_takes_the_stream_deadline_from_the_apps_host_json()
    {
        _worker.Services.GetRequiredService<IStartupValidator>().Validate();

        // Whatever the app's host.json says, streams end one safety margin before it (at most MaxStreamDuration).
        using var hostJson = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestLocations.FunctionsAppDirectory, "host.json")));
        var functionTimeout = TimeSpan.Parse(hostJson.RootElement.GetProperty("functionTimeout").GetString()!, CultureInfo.InvariantCulture);
        var deadline = _worker.Services.GetRequiredService<IOptions<FunctionsDeadlineOptions>>().Value;
        var expected = functionTimeout - deadline.SafetyMargin < deadline.MaxStreamDuration ? functionTimeout - deadline.SafetyMargin : deadline.MaxStreamDuration;
        Assert.Equal(expected, _worker.Services.GetRequiredService<IOptions<StreamOptions>>().Value.MaxDuration);
    }

    [Fact]
    public void Without_connections_the_worker_runs_the_in_memory_log_and_bus_and_leaves_retention_to_the_timer()
    {
        Assert.IsType<InMemoryEventLog>(_worker.Services.GetRequiredService<IEventLog>());
        Assert.IsType<InMemoryEventBus>(_worker.Services.GetRequiredService<IEventBus>());
        Assert.IsType<LocalFanout>(_worker.Services.GetRequiredService<IEventFanout>());

        var hosted = HostedServices(GatewayFunctionsApp.CreateBuilder([], TestLocations.FunctionsAppDirectory));
        Assert.Contains(typeof(HubTickService), hosted);
        Assert.Contains(typeof(InMemoryIngestService), hosted);
        Assert.DoesNotContain(typeof(RetentionService), hosted); // the Retention timer function applies it
        Assert.DoesNotContain(typeof(ServiceBusIngestService), hosted);
        Assert.Equal(["bus", "log"], HealthChecks(_worker));
    }

    [Fact]
    public void With_both_connections_the_worker_runs_the_table_log_and_service_bus()
    {
        string[] args =
        [
            "--EventLogStorage=UseDevelopmentStorage=true",
            "--EventBus=Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;",
        ];
        using var worker = GatewayFunctionsApp.CreateBuilder(args, TestLocations.FunctionsAppDirectory).Build();

        // Resolving creates the clients but opens no connection.
        Assert.IsType<TableEventLog>(worker.Services.GetRequiredService<IEventLog>());
        Assert.IsType<ServiceBusEventBus>(worker.Services.GetRequiredService<IEventBus>());
        Assert.IsType<ServiceBusFanout>(worker.Services.GetRequiredService<IEventFanout>());

        var hosted = HostedServices(GatewayFunctionsApp.CreateBuilder(args, TestLocations.FunctionsAppDirectory));
        Assert.Contains(typeof(ServiceBusIngestService), hosted);
        Assert.Contains(typeof(FanoutReceiverService), hosted);
        Assert.DoesNotContain(typeof(InMemoryIngestService), hosted);
        Assert.DoesNotContain(typeof(RetentionService), hosted);
        Assert.Equal(["bus", "log"], HealthChecks(worker));
    }

    [Theory]
    [InlineData(typeof(StreamFunction))]
    [InlineData(typeof(PublishFunction))]
    [InlineData(typeof(HealthFunction))]
    [InlineData(typeof(RetentionFunction))]
    public void Every_dependency_of_a_function_class_is_registered(Type function)
    {
        // The worker creates function classes from the invocation's scope; each constructor parameter must resolve.
        using var scope = _worker.Services.CreateScope();
        var parameters = Assert.Single(function.GetConstructors()).GetParameters();
        Assert.NotEmpty(parameters);
        Assert.All(parameters, p => Assert.NotNull(scope.ServiceProvider.GetService(p.ParameterType)));
    }

    /// <summary>The hosted services the app registers (read from the builder: the worker's own need the Functions host to construct).</summary>
    private static List<Type> HostedServices(FunctionsApplicationBuilder builder) =>
        [.. builder.Services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType is not null).Select(d => d.ImplementationType!)];

    private static List<string> HealthChecks(IHost worker) =>
        [.. worker.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name).Order(StringComparer.Ordinal)];
}
