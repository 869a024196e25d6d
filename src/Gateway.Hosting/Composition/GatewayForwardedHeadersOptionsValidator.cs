using System.Net;
using Microsoft.Extensions.Options;

namespace Gateway.Hosting.Composition;

internal sealed class GatewayForwardedHeadersOptionsValidator : IValidateOptions<GatewayForwardedHeadersOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayForwardedHeadersOptions o)
    {
        var errors = new List<string>();
        var s = GatewayForwardedHeadersOptions.SectionName;
        errors.AddRange(o.KnownProxies.Where(p => !IPAddress.TryParse(p, out _)).Select(p => $"{s}:KnownProxies has '{p}', which is not an IP address."));
        errors.AddRange(o.KnownNetworks.Where(n => !IPNetwork.TryParse(n, out _)).Select(n => $"{s}:KnownNetworks has '{n}', which is not a network in CIDR form (e.g. 10.0.0.0/24)."));
        if (o.ForwardLimit is < 1 or > 10)
        {
            errors.Add($"{s}:ForwardLimit must be between 1 and 10 (is {o.ForwardLimit}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
