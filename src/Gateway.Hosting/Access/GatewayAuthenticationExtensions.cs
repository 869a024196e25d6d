using Gateway.Core.Access;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Hosting.Access;

public static class GatewayAuthenticationExtensions
{
    /// <summary>
    /// When <c>Gateway:Auth</c> names a signing key or an authority: ASP.NET Core's JwtBearer handler validates the
    /// tokens (signature and lifetime always; issuer and audience whenever set), from the Authorization header, the
    /// cookie, or — when enabled — the query; and an <c>access_token</c> in a URL is kept out of logs and traces.
    /// Without it nothing is registered and no token is asked for.
    /// </summary>
    public static IServiceCollection AddGatewayAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(AuthOptions.SectionName);
        if (!(section.Get<AuthOptions>()?.IsEnabled ?? false))
        {
            return services;
        }

        services.AddAuthentication().AddJwtBearer(AccessTokens.Scheme);
        services.AddOptions<JwtBearerOptions>(AccessTokens.Scheme).Configure<IOptions<AuthOptions>>((jwt, auth) => Configure(jwt, auth.Value));

        // Decorates the context factory the web host would use, so the token leaves the URL before "Request starting" is logged.
        services.AddSingleton<IHttpContextFactory>(sp => new AccessTokenQueryScrubber(new DefaultHttpContextFactory(sp)));
        return services;
    }

    private static void Configure(JwtBearerOptions jwt, AuthOptions auth)
    {
        // Keep claim names as the token has them ("sub", "roles", "subscribe"), not mapped to WS-* URIs.
        jwt.MapInboundClaims = false;
        jwt.SaveToken = false;
        var parameters = jwt.TokenValidationParameters;
        parameters.ValidateLifetime = true;
        parameters.RequireExpirationTime = true;
        parameters.RequireSignedTokens = true;
        parameters.ClockSkew = auth.ClockSkew;
        parameters.NameClaimType = ChannelGrants.SubjectClaim;

        if (!string.IsNullOrWhiteSpace(auth.Authority))
        {
            // Keys (and the issuer, unless Issuer overrides it) come from the authority's OpenID Connect metadata.
            jwt.Authority = auth.Authority;
        }
        else
        {
            parameters.IssuerSigningKey = new SymmetricSecurityKey(Convert.FromBase64String(auth.SigningKey!.Trim()));
            parameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
            parameters.ValidateIssuer = false;
        }

        if (!string.IsNullOrWhiteSpace(auth.Issuer))
        {
            parameters.ValidateIssuer = true;
            parameters.ValidIssuer = auth.Issuer;
        }

        parameters.ValidateAudience = !string.IsNullOrWhiteSpace(auth.Audience);
        parameters.ValidAudience = auth.Audience;

        jwt.Events = new JwtBearerEvents { OnMessageReceived = context => ReadToken(context, auth) };
    }

    /// <summary>The header wins (the handler reads it when no token is set here); then the cookie; then, if enabled, the query.</summary>
    private static Task ReadToken(MessageReceivedContext context, AuthOptions auth)
    {
        var request = context.Request;
        if (request.Headers.Authorization.Count > 0)
        {
            return Task.CompletedTask;
        }

        if (auth.CookieTokens && request.Cookies.TryGetValue(auth.CookieName!, out var cookie) && !string.IsNullOrEmpty(cookie))
        {
            context.Token = cookie;
        }
        else if (auth.QueryToken && AccessTokens.FromQuery(context.HttpContext) is { Length: > 0 } query)
        {
            context.Token = query;
        }

        return Task.CompletedTask;
    }
}
