using Azure;
using Gateway.Core.Log;

namespace Gateway.Azure.ServiceBus;

/// <summary>How ingest treats a failed batch: wait out a storage outage, stop on a refusal that no retry can cure, or retry a while.</summary>
internal enum IngestFailureKind
{
    /// <summary>
    /// Anything else: retried while the locks are renewed, up to their budget. (A failed fan-out send is retried the same
    /// way, on its own: its events are in the log already.)
    /// </summary>
    Other,

    /// <summary>The log's store is unreachable or overloaded: retried, with the locks renewed, for as long as it lasts.</summary>
    LogUnavailable,

    /// <summary>The store refused the request for good (no permission, no table): ingest stops loudly.</summary>
    LogRefused,
}

internal static class IngestFailure
{
    public static IngestFailureKind Classify(Exception exception) => exception switch
    {
        EventLogUnavailableException => IngestFailureKind.LogUnavailable,

        // 401/403: the identity may not use the table; 404: the table (or account) is gone. Retrying cannot fix either.
        RequestFailedException { Status: 401 or 403 or 404 } => IngestFailureKind.LogRefused,
        AggregateException { InnerExceptions.Count: > 0 } aggregate when aggregate.InnerExceptions.All(e => Classify(e) == IngestFailureKind.LogUnavailable) => IngestFailureKind.LogUnavailable,
        _ => IngestFailureKind.Other,
    };

    public static string Describe(Exception exception) => exception is RequestFailedException { ErrorCode: { } code } failed
        ? $"the event log's store refused the request: {failed.Status} {code}"
        : $"the event log's store refused the request: {exception.GetType().Name}: {exception.Message}";
}
