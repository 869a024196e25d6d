namespace Gateway.Core.Access;

/// <summary>Names shared by the token sources, the authentication scheme and the authoriser.</summary>
public static class AccessTokens
{
    /// <summary>The authentication scheme the hosts register JwtBearer under.</summary>
    public const string Scheme = "Bearer";

    /// <summary>The query parameter a token may come in when <see cref="AuthOptions.QueryToken"/> is on.</summary>
    public const string QueryParameter = "access_token";

    /// <summary>Where <see cref="AccessTokenQueryScrubber"/> keeps a token it took out of the query string.</summary>
    internal const string QueryTokenItem = "Gateway.Access.QueryToken";

    /// <summary>A token taken out of the request's query string before anything logged or traced it, if any.</summary>
    public static string? FromQuery(Microsoft.AspNetCore.Http.HttpContext context) =>
        context.Items.TryGetValue(QueryTokenItem, out var token) ? token as string : null;
}
