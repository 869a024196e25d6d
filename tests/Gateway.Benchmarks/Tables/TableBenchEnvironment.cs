using System.Text;
using Azure.Data.Tables;
using Gateway.Core.Events;
using Gateway.Core.Log;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;

namespace Gateway.Benchmarks.Tables;

/// <summary>
/// One Azurite (in memory) for every Table benchmark of the process, and the gateway pieces on it: a log as a host
/// builds it, and the real server host for the SSE replay. Stopped when the process exits.
/// </summary>
internal static class TableBenchEnvironment
{
    public const string TableName = "benchevents";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static AzuriteProcess? _azurite;

    public static async Task<AzuriteProcess> AzuriteAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_azurite is null)
            {
                _azurite = await AzuriteProcess.StartAsync();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => _azurite.StopAsync().GetAwaiter().GetResult();
            }

            return _azurite;
        }
        finally
        {
            Gate.Release();
        }
    }

    public static Dictionary<string, string?> Settings(AzuriteProcess azurite) => new()
    {
        ["EventLogStorage"] = azurite.ConnectionString,
        ["Gateway:Tables:TableName"] = TableName,
    };

    /// <summary>The log as the server host builds it from <c>EventLogStorage</c>.</summary>
    public static GatewayServices LogServices(AzuriteProcess azurite) => GatewayServices.Build(Settings(azurite));

    public static TableClient RawTable(AzuriteProcess azurite) => new(azurite.ConnectionString, TableName);

    /// <summary>The server host on a free loopback port with the Table log; returns it started.</summary>
    public static Task<GatewayTestHost> StartServerAsync(AzuriteProcess azurite) =>
        GatewayTestHost.StartAsync([.. GatewayArguments.From(Settings(azurite))]);

    /// <summary>Appends events until the channel holds <paramref name="count"/>, in transactions of up to 99 rows; returns the epoch.</summary>
    public static async Task<string> SeedAsync(IEventLog log, string channel, int count)
    {
        var start = (int)(await log.GetHeadAsync(channel, CancellationToken.None)).Offset;
        for (var next = start; next < count; next += 99)
        {
            await log.AppendAsync(channel, Enumerable.Range(next, Math.Min(99, count - next)).Select(Draft).ToList(), CancellationToken.None);
        }

        return (await log.GetHeadAsync(channel, CancellationToken.None)).Epoch!;
    }

    public static EventDraft Draft(int i) =>
        new("update", Encoding.UTF8.GetBytes($"{{\"id\":{i},\"status\":\"shipped\",\"note\":\"{new string('x', 160)}\"}}"));
}
