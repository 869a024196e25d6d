using System.Security.Claims;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests.Access;

/// <summary>Mints JWTs for the access tests with IdentityModel's own handler (the one JwtBearer validates with).</summary>
public static class TestTokens
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "sse-gateway";

    /// <summary>The gateway's HS256 key (32 bytes, base64 as configured) and another one for forged signatures.</summary>
    public static readonly string SigningKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    public static readonly string OtherKey = Convert.ToBase64String(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());

    /// <summary>Settings that turn access control on for a test host: this key, issuer and audience, no clock skew.</summary>
    public static (string Key, string Value)[] Settings(params (string Key, string Value)[] more) =>
    [
        ("Gateway:Auth:SigningKey", SigningKey),
        ("Gateway:Auth:Issuer", Issuer),
        ("Gateway:Auth:Audience", Audience),
        ("Gateway:Auth:ClockSkew", "00:00:00"),
        .. more,
    ];

    /// <summary>A token for <paramref name="subject"/>; the grants are JSON arrays, as an issuer writes lists.</summary>
    public static string Mint(
        string subject = "alice",
        string[]? subscribe = null,
        string[]? publish = null,
        DateTimeOffset? expires = null,
        DateTimeOffset? notBefore = null,
        string issuer = Issuer,
        string audience = Audience,
        string? key = null,
        IDictionary<string, object>? claims = null,
        bool algNone = false)
    {
        var now = DateTimeOffset.UtcNow;
        var all = new Dictionary<string, object> { ["sub"] = subject };
        if (subscribe is not null)
        {
            all["subscribe"] = subscribe;
        }

        if (publish is not null)
        {
            all["publish"] = publish;
        }

        foreach (var (name, value) in claims ?? new Dictionary<string, object>())
        {
            all[name] = value;
        }

        var nbf = notBefore ?? now.AddMinutes(-1);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = all,
            NotBefore = nbf.UtcDateTime,
            IssuedAt = (nbf < now ? nbf : now).UtcDateTime,
            Expires = (expires ?? now.AddMinutes(10)).UtcDateTime,
            SigningCredentials = algNone ? null : new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(key ?? SigningKey)), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>The header of a token, to check what was minted (e.g. <c>alg: none</c>).</summary>
    public static string Algorithm(string token) =>
        JsonDocument.Parse(Base64UrlEncoder.Decode(token.Split('.')[0])).RootElement.GetProperty("alg").GetString()!;

    public static ClaimsPrincipal Principal(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "test"));
}
