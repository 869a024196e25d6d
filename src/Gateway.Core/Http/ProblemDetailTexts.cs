using Microsoft.AspNetCore.Http;

namespace Gateway.Core.Http;

/// <summary>
/// A <c>detail</c> for the problems the framework writes (status-code pages, the exception handler), which
/// otherwise carry only a title. Never the exception's text: that goes to the log.
/// </summary>
internal static class ProblemDetailTexts
{
    /// <summary>The title ASP.NET Core gives a 500 problem.</summary>
    public const string InternalErrorTitle = "An error occurred while processing your request.";

    /// <summary>The detail of every 500: where to look, never what failed.</summary>
    public const string InternalErrorDetail = "The gateway failed to handle the request; the failure is in its log under this traceId.";

    public static void Fill(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Detail is not null)
        {
            return;
        }

        var request = context.HttpContext.Request;
        problem.Detail = problem.Status switch
        {
            StatusCodes.Status404NotFound =>
                $"No route matches {request.Method} {request.Path}. The gateway serves GET /api/channels/{{channel}}/stream, GET /api/stream?channel=…, GET /api/channels/{{channel}}, POST /api/channels/{{channel}}/events and GET /api/health.",
            StatusCodes.Status405MethodNotAllowed =>
                $"{request.Method} is not allowed on {request.Path}; the Allow header lists the methods that are.",
            StatusCodes.Status500InternalServerError => InternalErrorDetail,
            _ => null,
        };
    }
}
