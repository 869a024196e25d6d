using Microsoft.AspNetCore.Builder;

namespace Gateway.Testing.Hosting;

/// <summary>How to start a <see cref="GatewayTestHost"/>.</summary>
public sealed record GatewayTestHostOptions
{
    /// <summary>Configuration keys and values, e.g. <c>("Gateway:Stream:MaxDuration", "00:00:02")</c>; a later key wins.</summary>
    public IEnumerable<(string Key, string Value)> Settings { get; init; } = [];

    /// <summary>Runs after the gateway's own registrations (last one wins), e.g. to decorate or share a service.</summary>
    public Action<WebApplicationBuilder>? Configure { get; init; }

    /// <summary>Runs on the built app before it starts, e.g. to add a middleware or a route beside the gateway's.</summary>
    public Action<WebApplication>? ConfigureApp { get; init; }

    /// <summary>Return only once the "bus" health check is Healthy (Service Bus receivers connected), so a test never races start-up.</summary>
    public bool UntilBusHealthy { get; init; }
}
