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

    // Completed while the log is up; replaced by a pending one when an outage begins.
    private TaskCompletionSource _logUp = NewSignal(up: true);

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
            _logUp = NewSignal(up: false);
        }

        metrics.IngestOutage(1);
        return true;
    }

    /// <returns>How long the outage lasted, or null when there was none.</returns>
    public TimeSpan? LogAvailable()
    {
        DateTimeOffset since;
        TaskCompletionSource logUp;
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
            logUp = _logUp;
        }

        logUp.TrySetResult();

        metrics.IngestOutage(-1);
        return time.GetUtcNow() - since;
    }

    /// <summary>
    /// Completes at once while the log is up, else when the outage ends. The ingest's receiver waits for it before it
    /// takes another message: a message received during an outage waits unrenewed, and its lock may lapse.
    /// </summary>
    public Task WhenLogUpAsync(CancellationToken cancellationToken)
    {
        Task up;
        lock (_gate)
        {
            up = _logUp.Task;
        }

        return up.WaitAsync(cancellationToken);
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

    private static TaskCompletionSource NewSignal(bool up)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (up)
        {
            signal.SetResult();
        }

        return signal;
    }
}
