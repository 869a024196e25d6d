using Gateway.Hosting.Composition;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Azure.Tests.Support;

/// <summary>
/// The gateway's services as a host registers them (<c>AddGateway</c>) from the given
/// configuration keys, so tests get the log the hosts would get, without a web server.
/// </summary>
public static class GatewayServices
{
    public static ServiceProvider Build(IEnumerable<KeyValuePair<string, string?>> settings, TimeProvider? time = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddSingleton<IConfiguration>(configuration);
        services.AddGateway(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>Settings for the Table log on <paramref name="connectionString"/> with fast-failing client retries.</summary>
    public static Dictionary<string, string?> TableLog(string connectionString, string tableName) => new()
    {
        ["EventLogStorage"] = connectionString,
        ["EventLogStorage:Retry:MaxRetries"] = "2",
        ["EventLogStorage:Retry:Delay"] = "00:00:00.100",
        ["EventLogStorage:Retry:MaxDelay"] = "00:00:00.500",
        ["EventLogStorage:Retry:NetworkTimeout"] = "00:00:10",
        ["Gateway:Tables:TableName"] = tableName,
    };
}
