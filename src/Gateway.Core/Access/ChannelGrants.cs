using System.Security.Claims;

namespace Gateway.Core.Access;

/// <summary>
/// The channel patterns a validated token grants for one right. A grant claim may arrive repeated (a JSON array
/// becomes one claim per element), or as one space-separated string (like OAuth's <c>scope</c>); both are read.
/// Channel names have no spaces, so splitting on them is safe.
/// </summary>
public static class ChannelGrants
{
    /// <summary>The subject a <c>{sub}</c> pattern stands for: the token's <c>sub</c> claim.</summary>
    public const string SubjectClaim = "sub";

    public static IEnumerable<string> Patterns(ClaimsPrincipal principal, string claimType) =>
        principal.FindAll(claimType).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    public static bool Allows(ClaimsPrincipal principal, string claimType, string channel)
    {
        var subject = principal.FindFirst(SubjectClaim)?.Value;
        return Patterns(principal, claimType).Any(p => ChannelPattern.Matches(p, channel, subject));
    }
}
