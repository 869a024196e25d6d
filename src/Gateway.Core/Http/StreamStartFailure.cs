using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Core.Http;

/// <summary>
/// A stream route's answer to a failure before its stream started (e.g. the token issuer's metadata unreachable): the
/// <c>500</c> <c>application/problem+json</c> the server host's exception handler writes for the other routes, which
/// the stream routes go without (<see cref="StreamRouteMetadata"/>). The exception goes to the log, never into the answer.
/// </summary>
internal static partial class StreamStartFailure
{
    /// <summary>Whether the failure can still be answered: the response has not started and the client is still there.</summary>
    private static bool CanAnswer(HttpContext context) => !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested;

    /// <summary>
    /// Awaits a stream route's admission checks that did not complete at once; a failure that can still be answered
    /// (<see cref="CanAnswer"/>) is answered here and reads as null (no stream), any other propagates.
    /// </summary>
    public static async Task<T?> AdmitOrAnswerAsync<T>(HttpContext context, ILogger logger, ValueTask<T?> admitting)
        where T : struct
    {
        try
        {
            return await admitting;
        }
        catch (Exception ex) when (CanAnswer(context))
        {
            await AnswerAsync(context, logger, ex);
            return null;
        }
    }

    private static Task AnswerAsync(HttpContext context, ILogger logger, Exception exception)
    {
        LogFailed(logger, exception);
        return Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, ProblemDetailTexts.InternalErrorTitle, ProblemDetailTexts.InternalErrorDetail);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A stream request failed before its stream started; answered 500")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
