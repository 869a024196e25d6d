namespace Gateway.Core.Access;

/// <summary>
/// Who may read and publish what. Bound from <c>Gateway:Auth</c>. Unset (no <see cref="SigningKey"/> and no
/// <see cref="Authority"/>) means no token is asked for: the embedded default stays open on 127.0.0.1.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Gateway:Auth";

    /// <summary>A base64 HS256 key of at least 32 bytes for tokens minted locally (e.g. by <c>dotnet user-jwts</c>).</summary>
    public string? SigningKey { get; set; }

    /// <summary>An OpenID Connect issuer (e.g. Microsoft Entra ID); its signing keys come from its metadata.</summary>
    public string? Authority { get; set; }

    /// <summary>The <c>aud</c> a token must carry; checked whenever set, required with <see cref="Authority"/>.</summary>
    public string? Audience { get; set; }

    /// <summary>The <c>iss</c> a token must carry; checked whenever set (with an authority, its metadata's issuer otherwise).</summary>
    public string? Issuer { get; set; }

    /// <summary>The cookie a token may come in (browsers' EventSource cannot set headers). Empty: no cookie tokens.</summary>
    public string? CookieName { get; set; } = "gateway_token";

    /// <summary>Accept an <c>access_token</c> query parameter. Off by default: URLs end up in logs and histories (RFC 9700).</summary>
    public bool QueryToken { get; set; }

    /// <summary>The claim listing the channels (names or patterns) a token may read.</summary>
    public string SubscribeClaim { get; set; } = "subscribe";

    /// <summary>The claim listing the channels (names or patterns) a token may publish to.</summary>
    public string PublishClaim { get; set; } = "publish";

    /// <summary>Channel patterns anyone may read, without a token.</summary>
    public List<string> PublicChannels { get; set; } = [];

    /// <summary>Allowed difference between the issuer's clock and ours; a stream ends this long after its token's expiry.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True when tokens are validated (a signing key or an authority is set).</summary>
    public bool IsEnabled => !string.IsNullOrWhiteSpace(SigningKey) || !string.IsNullOrWhiteSpace(Authority);

    /// <summary>True when a cookie may carry the token (then browsers must send credentials, and CORS allows them).</summary>
    public bool CookieTokens => IsEnabled && !string.IsNullOrWhiteSpace(CookieName);
}
