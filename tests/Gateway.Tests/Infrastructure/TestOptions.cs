using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Infrastructure;

/// <summary>Real options monitors (from the options system itself) for constructing Core types in unit tests.</summary>
public static class TestOptions
{
    public static IOptionsMonitor<T> Monitor<T>(Action<T>? configure = null)
        where T : class
    {
        var services = new ServiceCollection();
        services.AddOptions<T>().Configure(o => configure?.Invoke(o));
        return services.BuildServiceProvider().GetRequiredService<IOptionsMonitor<T>>();
    }
}
