using System.Globalization;
using Gateway.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gateway.Core.Limits;

/// <summary>The problem+json answers of a refused request, each with a <c>Retry-After</c> in whole seconds.</summary>
internal static class LimitProblems
{
    public static Task StreamRefused(HttpContext context, StreamRefusal refusal, LimitOptions options, TimeSpan retryAfter) => refusal switch
    {
        StreamRefusal.PerClient => WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many streams", retryAfter,
            $"This client already has {options.MaxStreamsPerClient} streams open on this instance, the most allowed (Gateway:Limits:MaxStreamsPerClient). Close one, or combine channels in fewer streams."),
        _ => WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Gateway at capacity", retryAfter,
            $"This instance has {options.MaxStreams} streams open, the most allowed (Gateway:Limits:MaxStreams). Try again after the Retry-After interval."),
    };

    public static Task PublishRefused(HttpContext context, LimitOptions options, TimeSpan retryAfter) =>
        WriteAsync(context, StatusCodes.Status429TooManyRequests, "Publish rate exceeded", retryAfter,
            $"This publisher has used its burst of {options.PublishBurst} and may publish {options.PublishPerSecond} events per second (Gateway:Limits:PublishPerSecond, PublishBurst). Try again after the Retry-After interval.");

    private static Task WriteAsync(HttpContext context, int status, string title, TimeSpan retryAfter, string detail)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.WriteAsync(context, status, title, detail);
    }
}
