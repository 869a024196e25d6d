using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Gateway.Core.Telemetry;

namespace Gateway.Benchmarks.ServiceBus;

/// <summary>
/// Where the gateway's ingest time goes during one phase, from the activities the gateway and the Azure SDKs
/// already emit (no hooks in the product): the ingest of a batch (append + fan-out), each Table request, each
/// Service Bus receive, send and settle, by operation and entity. Calls of one batch that run concurrently
/// (its completes) overlap, so their durations are not to be added up.
/// </summary>
internal sealed class IngestBreakdown : IDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _durations = new(StringComparer.Ordinal);
    private readonly ActivityListener _listener;
    private volatile bool _recording;

    public IngestBreakdown()
    {
        _listener = new ActivityListener
        {
            // The operations themselves, not the HTTP requests under them (Azure.Core) nor the per-message spans.
            ShouldListenTo = source => source.Name == GatewayTracing.SourceName
                || source.Name.StartsWith("Azure.Data.Tables", StringComparison.Ordinal)
                || source.Name.StartsWith("Azure.Messaging.ServiceBus", StringComparison.Ordinal),
            // Outside the recorded phase no activity is made, so the other phases run as they would without this.
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => _recording ? ActivitySamplingResult.AllData : ActivitySamplingResult.None,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The Azure SDKs emit activities through ActivitySource only when this is set before their clients are made.</summary>
    public static void EnableAzureActivities() => AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    public void Print(string phase)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"Gateway operations during {phase} (from activities):");
        Console.WriteLine();
        Console.WriteLine("| operation | calls | p50 ms | p90 ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (name, bag) in _durations.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            var sorted = bag.Order().ToArray();
            Console.WriteLine(string.Create(c,
                $"| {name} | {sorted.Length} | {At(sorted, 0.5):0.0} | {At(sorted, 0.9):0.0} | {sorted[^1]:0.0} |"));
        }
    }

    /// <summary>The summed duration (ms) of every recorded call of <paramref name="operation"/> (a name as printed).</summary>
    public double TotalMilliseconds(string operation) => _durations.TryGetValue(operation, out var bag) ? bag.Sum() : 0;

    public void Dispose() => _listener.Dispose();

    private static double At(double[] sorted, double quantile) => sorted[(int)Math.Min(sorted.Length - 1, quantile * sorted.Length)];

    private void Stopped(Activity activity)
    {
        if (!_recording || activity.DisplayName == "Message")
        {
            return;
        }

        var entity = activity.GetTagItem("messaging.destination.name") ?? activity.GetTagItem("message_bus.destination");
        var name = entity is null ? activity.DisplayName : $"{activity.DisplayName} ({entity})";
        _durations.GetOrAdd(name, _ => []).Add(activity.Duration.TotalMilliseconds);
    }
}
