using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Gateway.Azure.Tables;
using Gateway.Core.Options;
using Gateway.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.Azure.Tests.Tables;

/// <summary>
/// A <see cref="TableEventLog"/> on an existing table, built directly so a test can put a <see cref="RequestHook"/>
/// in its client's pipeline; several on one table stand for several gateway instances.
/// </summary>
internal sealed class TableLogInstance : IDisposable
{
    private readonly ServiceProvider _services;

    public TableLogInstance(string connectionString, string tableName, TimeProvider time, Action<RetentionOptions> retention, HttpPipelinePolicy? hook = null)
    {
        var options = new TableClientOptions();
        if (hook is not null)
        {
            options.AddPolicy(hook, HttpPipelinePosition.PerCall);
        }

        Table = new TableClient(connectionString, tableName, options);
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddOptions<RetentionOptions>().Configure(retention);
        _services = services.BuildServiceProvider();
        Log = new TableEventLog(
            Table,
            time,
            _services.GetRequiredService<IOptionsMonitor<RetentionOptions>>(),
            Options.Create(new TableLogOptions { TableName = tableName }),
            _services.GetRequiredService<GatewayMetrics>(),
            NullLogger<TableEventLog>.Instance);
    }

    public TableClient Table { get; }

    public TableEventLog Log { get; }

    public void Dispose() => _services.Dispose();
}
