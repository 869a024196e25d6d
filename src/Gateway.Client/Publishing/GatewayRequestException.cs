using System.Net;

namespace Gateway.Client.Publishing;

/// <summary>
/// The gateway refused a request: the status and the problem's <c>detail</c> (its <c>application/problem+json</c>
/// body), and <see cref="RetryAfter"/> when the refusal says when to come back (429, 503).
/// </summary>
public sealed class GatewayRequestException : HttpRequestException
{
    /// <summary>Creates the exception for a refusal with <paramref name="status"/>.</summary>
    public GatewayRequestException(HttpStatusCode status, string? detail, TimeSpan? retryAfter)
        : base($"The gateway answered {(int)status} {status}{(detail is null ? "." : ": " + detail)}", null, status)
    {
        Detail = detail;
        RetryAfter = retryAfter;
    }

    /// <summary>The problem's <c>detail</c>, when the answer had one.</summary>
    public string? Detail { get; }

    /// <summary>The answer's <c>Retry-After</c>, when it had one.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Whether trying again later can succeed: a limit (429), an unavailable instance (503) or a timeout (408), or a server error.</summary>
    public bool IsTransient => StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int?)StatusCode >= 500;
}
