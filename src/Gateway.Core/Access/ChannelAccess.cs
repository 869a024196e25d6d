using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Core.Access;

/// <summary>
/// Decides whether a request may read or publish a channel, for both hosts: the server's routes and the Functions
/// app's functions call it with the request's <see cref="HttpContext"/>. The token is validated by the JwtBearer
/// scheme the host registered (<see cref="HttpContext"/>.AuthenticateAsync); this class only reads its grants.
/// A refusal says nothing about whether the channel exists.
/// </summary>
public sealed class ChannelAccess(IOptions<AuthOptions> options, IOptions<HostAccessOptions> host)
{
    /// <summary>
    /// With tokens configured, validates the token the caller sent (if any) and makes it the request's user, so that
    /// what reads <see cref="HttpContext.User"/> (health detail, per-subject limits) sees it. Refuses nothing.
    /// </summary>
    public async Task IdentifyAsync(HttpContext context)
    {
        if (options.Value.IsEnabled && await context.AuthenticateAsync(AccessTokens.Scheme) is { Succeeded: true } result)
        {
            context.User = result.Principal;
        }
    }

    /// <summary>
    /// Whether <paramref name="context"/>'s caller has <paramref name="right"/> on <paramref name="channel"/>; a refusal
    /// is answered here (401 or 403 problem). Completes synchronously, without a task object, when tokens are off or the
    /// channel is public: the common case on every publish and stream request.
    /// </summary>
    public async ValueTask<AccessDecision> CheckAsync(HttpContext context, string channel, ChannelRight right)
    {
        var o = options.Value;
        if (!o.IsEnabled)
        {
            return AccessDecision.Open;
        }

        if (right == ChannelRight.Subscribe && o.PublicChannels.Any(p => ChannelPattern.Matches(p, channel, subject: null)))
        {
            // Anyone may read a public channel; a token (even a stale cookie) is not looked at.
            return AccessDecision.Open;
        }

        var result = await context.AuthenticateAsync(AccessTokens.Scheme);
        if (result.None)
        {
            if (right == ChannelRight.Publish && host.Value.PublishGatedByPlatformKey)
            {
                // Only a function-key holder gets here: the platform checked the key before the worker ran.
                return AccessDecision.Open;
            }

            await UnauthorizedAsync(context, "Token required",
                $"{Describe(right)} '{channel}' needs an access token: an 'Authorization: Bearer' header" +
                (o.CookieTokens ? $", the '{o.CookieName}' cookie" : "") +
                (o.QueryToken ? $" or the '{AccessTokens.QueryParameter}' query parameter" : "") + ".");
            return AccessDecision.Refused;
        }

        if (!result.Succeeded)
        {
            await UnauthorizedAsync(context, "Invalid token", InvalidTokenDetail(result.Failure));
            return AccessDecision.Refused;
        }

        var claim = right == ChannelRight.Subscribe ? o.SubscribeClaim : o.PublishClaim;
        if (!ChannelGrants.Allows(result.Principal, claim, channel))
        {
            await Http.Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Channel not granted",
                $"The access token does not grant {right.ToString().ToLowerInvariant()} on '{channel}' (its '{claim}' claim lists no matching channel or pattern).");
            return AccessDecision.Refused;
        }

        context.User = result.Principal;

        // A stream lasts no longer than its token is accepted (expiry plus the skew validation allows), so the
        // client comes back with a fresh token or is refused, instead of reading on with a dead one.
        var expires = result.Properties?.ExpiresUtc is { } exp && exp != DateTimeOffset.MinValue ? exp + o.ClockSkew : (DateTimeOffset?)null;
        return new AccessDecision(true, expires);
    }

    private static string Describe(ChannelRight right) => right == ChannelRight.Subscribe ? "Reading" : "Publishing to";

    private static string InvalidTokenDetail(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "The access token has expired; get a new one.",
        SecurityTokenNotYetValidException => "The access token is not valid yet (its 'nbf' is in the future).",
        _ => "The access token was refused: its signature, algorithm, issuer, audience or lifetime is not accepted here.",
    };

    private static async Task UnauthorizedAsync(HttpContext context, string title, string detail)
    {
        // The scheme writes WWW-Authenticate (with error="invalid_token" for a bad token); the body is our problem.
        await context.ChallengeAsync(AccessTokens.Scheme);
        await Http.Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, title, detail);
    }
}
