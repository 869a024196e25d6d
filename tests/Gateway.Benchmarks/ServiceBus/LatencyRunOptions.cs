using System.Globalization;

namespace Gateway.Benchmarks.ServiceBus;

/// <summary>
/// Command line of <c>--servicebus-latency</c>: <c>--count N</c> paced messages at <c>--rate R</c> per second,
/// then <c>--burst M</c> sent as fast as the producer can, per path; <c>--table</c> puts the gateway's log in Azurite;
/// arguments <c>--Gateway:...=value</c> go to the gateway host as they are.
/// </summary>
internal sealed record LatencyRunOptions(int Count, int Rate, int Burst, bool TableLog, IReadOnlyList<string> GatewaySettings)
{
    public static LatencyRunOptions Parse(string[] args) => new(
        Value(args, "--count", 2000),
        Value(args, "--rate", 200),
        Value(args, "--burst", 10000),
        args.Contains("--table"),
        [.. args.Where(a => a.StartsWith("--Gateway:", StringComparison.Ordinal))]);

    private static int Value(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        if (at < 0)
        {
            return fallback;
        }

        if (at + 1 >= args.Length || !int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) || value < 1)
        {
            throw new ArgumentException($"{name} needs a positive whole number.");
        }

        return value;
    }
}
