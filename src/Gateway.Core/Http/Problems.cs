using Microsoft.AspNetCore.Http;

namespace Gateway.Core.Http;

/// <summary>Writes <c>application/problem+json</c> errors with a clear detail, the only error shape the gateway returns.</summary>
public static class Problems
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(context);

    public static Task BadRequest(HttpContext context, string title, string detail) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, title, detail);
}
