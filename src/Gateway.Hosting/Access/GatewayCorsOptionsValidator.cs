using Microsoft.Extensions.Options;

namespace Gateway.Hosting.Access;

internal sealed class GatewayCorsOptionsValidator : IValidateOptions<GatewayCorsOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayCorsOptions o)
    {
        var errors = new List<string>();
        foreach (var origin in o.Origins)
        {
            // An origin is scheme://host[:port], nothing more; "*" would let every site read with the user's cookie.
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/" || origin.EndsWith('/'))
            {
                errors.Add($"{GatewayCorsOptions.SectionName}:Origins: '{origin}' is not an origin like https://app.example.com (scheme, host and port only; no '*', path or trailing '/').");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
