namespace Gateway.Hosting.Access;

/// <summary>Which other origins' pages may open streams and publish from a browser (server host). Bound from <c>Gateway:Cors</c>.</summary>
public sealed class GatewayCorsOptions
{
    public const string SectionName = "Gateway:Cors";

    /// <summary>Origins such as <c>https://app.example.com</c>; none by default (only same-origin pages).</summary>
    public List<string> Origins { get; set; } = [];
}
