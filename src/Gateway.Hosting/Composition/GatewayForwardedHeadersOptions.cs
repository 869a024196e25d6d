namespace Gateway.Hosting.Composition;

/// <summary>
/// The proxies whose <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> the gateway trusts, so that per-client limits
/// count the real client and not the proxy. Bound from <c>Gateway:ForwardedHeaders</c>; nothing is trusted beyond
/// loopback unless configured here (or with the framework's own <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>).
/// </summary>
public sealed class GatewayForwardedHeadersOptions
{
    public const string SectionName = "Gateway:ForwardedHeaders";

    /// <summary>Addresses of trusted proxies, e.g. <c>10.0.0.4</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR form, e.g. <c>10.0.0.0/24</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a row may be walked back through <c>X-Forwarded-For</c> (the framework's default is 1).</summary>
    public int ForwardLimit { get; set; } = 1;
}
