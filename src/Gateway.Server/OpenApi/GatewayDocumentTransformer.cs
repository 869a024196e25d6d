using Gateway.Core.Access;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.Server.OpenApi;

/// <summary>
/// The document's title and the token schemes of <c>Gateway:Auth</c>. Declared whatever the running configuration is, so
/// the document is the same on every host and the checked-in copy stays true; operations mark a token as optional.
/// No <c>servers</c>: the generator would write the address of whoever asked, and an importer (API Management) sets its own.
/// </summary>
internal sealed class GatewayDocumentTransformer : IOpenApiDocumentTransformer
{
    /// <summary>The security scheme names operations refer to.</summary>
    public static readonly string[] TokenSchemes = [BearerScheme, CookieScheme, QueryScheme];

    private const string BearerScheme = AccessTokens.Scheme;
    private const string CookieScheme = "Cookie";
    private const string QueryScheme = "AccessTokenQuery";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "SSE gateway",
            Version = GatewayOpenApi.DocumentName,
            Description =
                "Server-sent event streams of channels, fed by Azure Service Bus (or HTTP publishing) and resumable with Last-Event-ID " +
                "from a per-channel log. The server host and the Azure Functions app serve the same routes under /api. Every error is " +
                "application/problem+json with a detail. Tokens are needed only where Gateway:Auth is configured.",
        };
        document.Servers = [];

        var auth = new AuthOptions();
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT whose 'subscribe' / 'publish' claims grant the channel (Gateway:Auth: a signing key, or an OpenID Connect authority such as Entra ID).",
            },
            [CookieScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Cookie,
                Name = auth.CookieName,
                Description = "The same JWT in a cookie (Gateway:Auth:CookieName), for EventSource with withCredentials: true.",
            },
            [QueryScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Query,
                Name = AccessTokens.QueryParameter,
                Description = "The same JWT in the query, only with Gateway:Auth:QueryToken=true (off by default: URLs get logged).",
            },
        };
        return Task.CompletedTask;
    }
}
