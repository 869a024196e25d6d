using Microsoft.Extensions.Configuration.Memory;

namespace Gateway.Server;

/// <summary>
/// ASP.NET Core's per-request logs (category <see cref="Category"/>) off by default: a lowest-priority configuration
/// value that appsettings, the environment and the command line override. While that category is on at any level,
/// hosting makes an <c>Activity</c> and a log scope for every request, and an SSE stream holds both for its whole life;
/// its request lines are Information, below the shipped <c>Microsoft.AspNetCore: Warning</c> anyway. Its startup-failure
/// lines go too; the exception still stops the host. A tracer still gets its request span (hosting makes the Activity
/// for a listener). Request logs: <c>Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information</c>.
/// </summary>
public static class RequestLogDefault
{
    public const string Category = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static void Apply(IConfigurationBuilder configuration) =>
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = [new($"Logging:LogLevel:{Category}", nameof(LogLevel.None))],
        });
}
