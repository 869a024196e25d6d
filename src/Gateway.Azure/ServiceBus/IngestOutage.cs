using System.Globalization;
using Gateway.Core.Telemetry;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// Whether this instance's ingest waits for the event log (a storage outage: it holds its batch, renews its locks and
/// takes no new one) or has stopped (the log refused the request for good: no permission, no table). Written by
/// <see cref="ServiceBusIngestService"/>; read by the "bus" health check; mirrored in the metrics
/// <c>gateway.ingest.outage</c> and <c>gateway.ingest.stopped</c>.
/// </summary>
public sealed class IngestOutage(GatewayMetrics metrics, TimeProvider time)
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _since;
    private int _failures;
    private string? _lastError;
    private string? _stopped;

    /// <summary>True while the log is unreachable and ingest waits for it.</summary>
    public bool IsLogDown
    {
        get
        {
            lock (_gate)
            {
                return _since is not null;
            }
        }
    }

    /// <summary>Why ingest stopped for good (until the instance restarts); null while it runs.</summary>
    public string? StoppedReason
    {
        get
        {
            lock (_gate)
            {
                return _stopped;
            }
        }
    }

    /// <summary>A channel of the batch that met the outage, to probe the log with before taking another batch.</summary>
    public string? ProbeChannel { get; private set; }

    /// <summary>A health description of the outage; null when there is none.</summary>
    public string? Describe()
    {
        lock (_gate)
        {
            return _since is { } since
                ? string.Create(CultureInfo.InvariantCulture, $"ingest paused: the event log has been unreachable since {since:u} ({_failures} failed attempts; last: {_lastError}); the batch in hand is held and its locks renewed, no new one is taken")
                : null;
        }
    }

    /// <returns>True when this failure began the outage.</returns>
    public bool LogUnavailable(Exception exception, string? probeChannel)
    {
        lock (_gate)
        {
            _failures++;
            _lastError = $"{exception.GetType().Name}: {exception.Message}";
            ProbeChannel = probeChannel ?? ProbeChannel;
            if (_since is not null)
            {
                return false;
            }

            _since = time.GetUtcNow();
        }

        metrics.IngestOutage(1);
        return true;
    }

    /// <returns>How long the outage lasted, or null when there was none.</returns>
    public TimeSpan? LogAvailable()
    {
        DateTimeOffset since;
        lock (_gate)
        {
            if (_since is not { } s)
            {
                return null;
            }

            since = s;
            _since = null;
            _failures = 0;
            _lastError = null;
        }

        metrics.IngestOutage(-1);
        return time.GetUtcNow() - since;
    }

    public void Stop(string reason, string kind)
    {
        lock (_gate)
        {
            _stopped = reason;
        }

        LogAvailable();
        metrics.IngestStopped(kind);
    }
}
