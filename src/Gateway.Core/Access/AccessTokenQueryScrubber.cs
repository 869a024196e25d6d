using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.Core.Access;

/// <summary>
/// Takes an <c>access_token</c> query parameter out of the request's URL as the request's context is created —
/// before the host logs "Request starting …" with the query string and before tracing records <c>url.query</c> —
/// and keeps it aside for the JwtBearer scheme (used only when <see cref="AuthOptions.QueryToken"/> is on). So a
/// token in a URL never reaches the gateway's logs or traces, whether or not query tokens are accepted.
/// </summary>
public sealed class AccessTokenQueryScrubber(IHttpContextFactory inner) : IHttpContextFactory
{
    public HttpContext Create(IFeatureCollection featureCollection)
    {
        var request = featureCollection.Get<IHttpRequestFeature>();
        string? token = null;
        if (request is not null && request.QueryString.Contains(AccessTokens.QueryParameter, StringComparison.OrdinalIgnoreCase))
        {
            token = Scrub(request);
        }

        var context = inner.Create(featureCollection);
        if (token is not null)
        {
            context.Items[AccessTokens.QueryTokenItem] = token;
        }

        return context;
    }

    public void Dispose(HttpContext httpContext) => inner.Dispose(httpContext);

    private static string? Scrub(IHttpRequestFeature request)
    {
        var query = QueryHelpers.ParseQuery(request.QueryString);
        if (!query.Remove(AccessTokens.QueryParameter, out var values))
        {
            return null;
        }

        var rest = new QueryBuilder(query.SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v ?? "")))).ToQueryString();
        request.QueryString = rest.Value ?? "";
        var rawPath = request.RawTarget.Split('?', 2)[0];
        request.RawTarget = rawPath + rest.Value;
        return values.Count > 0 ? values[^1] : null;
    }
}
