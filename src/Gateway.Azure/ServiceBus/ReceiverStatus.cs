using System.Collections.Concurrent;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// The last known state of each receive loop (ingest, fan-out), written by the loops and read by the "bus"
/// health check: a loop is connected once a receive call has returned, faulted after one threw.
/// </summary>
public sealed class ReceiverStatus
{
    public const string Ingest = "ingest";
    public const string Fanout = "fanout";

    private static readonly string[] Receivers = [Ingest, Fanout];

    // receiver → null when its last attempt succeeded, else the error; absent until its first attempt.
    private readonly ConcurrentDictionary<string, string?> _last = new(StringComparer.Ordinal);

    /// <summary>The receivers that have not yet made an attempt.</summary>
    public IReadOnlyList<string> Pending => [.. Receivers.Where(r => !_last.ContainsKey(r))];

    /// <summary>The receivers whose last attempt failed, with the error.</summary>
    public IReadOnlyDictionary<string, string> Faults =>
        _last.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value!, StringComparer.Ordinal);

    public void Connected(string receiver) => _last[receiver] = null;

    public void Faulted(string receiver, Exception exception) => _last[receiver] = $"{exception.GetType().Name}: {exception.Message}";
}
