using Azure;
using Gateway.Core.Log;

namespace Gateway.Azure.Tables;

/// <summary>Tells a store that cannot be reached (retry later) from a request the store refused (a bug or a conflict).</summary>
internal static class TableFailures
{
    /// <summary>
    /// True for failures that say nothing about the request itself: no connection, a timeout, throttling or a
    /// server error, after the SDK's own retries. Azure.Core reports exhausted retries as an <see cref="AggregateException"/>.
    /// </summary>
    public static bool IsUnavailable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        RequestFailedException { Status: 0 or 408 or 429 or >= 500 } => true,
        HttpRequestException or IOException or TimeoutException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0
            && aggregate.InnerExceptions.All(inner => IsUnavailable(inner, cancellationToken)),
        _ => false,
    };

    public static EventLogUnavailableException Unavailable(string operation, Exception exception) =>
        new($"The Table-storage event log could not {operation}: the store is unreachable or overloaded ({exception.GetType().Name}: {FirstLine(exception.Message)}). Nothing was committed by the failed request; retry later.", exception);

    private static string FirstLine(string message)
    {
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? message : message[..end];
    }
}
