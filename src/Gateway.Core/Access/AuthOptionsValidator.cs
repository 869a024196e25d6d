using Microsoft.Extensions.Options;

namespace Gateway.Core.Access;

internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    /// <summary>HS256 needs a key at least as long as its output (RFC 7518 §3.2).</summary>
    public const int MinimumKeyBytes = 32;

    public ValidateOptionsResult Validate(string? name, AuthOptions o)
    {
        var errors = new List<string>();
        var s = AuthOptions.SectionName;
        var hasKey = !string.IsNullOrWhiteSpace(o.SigningKey);
        var hasAuthority = !string.IsNullOrWhiteSpace(o.Authority);
        if (hasKey && hasAuthority)
        {
            errors.Add($"Set one of {s}:SigningKey (local tokens) and {s}:Authority (an OpenID Connect issuer), not both.");
        }

        if (hasKey)
        {
            if (!TryDecodeKey(o.SigningKey!, out var length))
            {
                errors.Add($"{s}:SigningKey must be base64 (e.g. the output of 'dotnet user-jwts key').");
            }
            else if (length < MinimumKeyBytes)
            {
                errors.Add($"{s}:SigningKey must decode to at least {MinimumKeyBytes} bytes for HS256 (is {length}).");
            }
        }

        if (hasAuthority)
        {
            if (!Uri.TryCreate(o.Authority, UriKind.Absolute, out var authority) || authority.Scheme != Uri.UriSchemeHttps)
            {
                errors.Add($"{s}:Authority must be an absolute https URL, e.g. https://login.microsoftonline.com/<tenant>/v2.0 (is '{o.Authority}').");
            }

            if (string.IsNullOrWhiteSpace(o.Audience))
            {
                errors.Add($"{s}:Audience is required with {s}:Authority (the application ID URI or client id the tokens are issued for).");
            }
        }

        if (string.IsNullOrWhiteSpace(o.SubscribeClaim) || string.IsNullOrWhiteSpace(o.PublishClaim))
        {
            errors.Add($"{s}:SubscribeClaim and {s}:PublishClaim must name a claim.");
        }

        foreach (var pattern in o.PublicChannels)
        {
            if (!ChannelPattern.TryValidate(pattern, out var error))
            {
                errors.Add($"{s}:PublicChannels: {error}");
            }
        }

        if (o.ClockSkew < TimeSpan.Zero || o.ClockSkew > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{s}:ClockSkew must be between 0 and 5 minutes (is {o.ClockSkew}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool TryDecodeKey(string key, out int length) =>
        Convert.TryFromBase64String(key.Trim(), new byte[key.Length], out length);
}
