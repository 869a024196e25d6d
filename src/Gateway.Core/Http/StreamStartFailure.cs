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
    public static bool CanAnswer(HttpContext context) => !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested;

    public static Task AnswerAsync(HttpContext context, ILogger logger, Exception exception)
    {
        LogFailed(logger, exception);
        return Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, ProblemDetailTexts.InternalErrorTitle, ProblemDetailTexts.InternalErrorDetail);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A stream request failed before its stream started; answered 500")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
