using System.Diagnostics;

namespace Gateway.Core.Telemetry;

/// <summary>The gateway's spans, on the activity source <see cref="SourceName"/> (export it with OpenTelemetry).</summary>
public static class GatewayTracing
{
    public const string SourceName = "Gateway";

    /// <summary>Static, as activity sources are meant to be: listeners attach by name, and an unobserved source costs nothing.</summary>
    public static readonly ActivitySource Source = new(SourceName);
}
