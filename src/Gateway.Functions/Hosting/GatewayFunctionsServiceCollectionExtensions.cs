using Gateway.Core.Access;
using Gateway.Core.Options;
using Gateway.Functions.Deadline;
using Gateway.Hosting.Composition;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Functions.Hosting;

public static class GatewayFunctionsServiceCollectionExtensions
{
    /// <summary>
    /// Everything the functions need: the gateway as every host wires it (<c>AddGateway</c>), and the stream
    /// deadline derived from the host's <c>functionTimeout</c> in <paramref name="appDirectory"/>.
    /// Retention runs from the timer function, so no retention background service is added.
    /// </summary>
    public static IServiceCollection AddGatewayFunctions(this IServiceCollection services, IConfiguration configuration, string appDirectory)
    {
        services.AddGateway(configuration);

        // Publish has authorisation level Function: the platform lets only function-key holders through to it.
        services.Configure<HostAccessOptions>(o => o.PublishGatedByPlatformKey = true);

        services.AddOptions<FunctionsDeadlineOptions>().Bind(configuration.GetSection(FunctionsDeadlineOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FunctionsDeadlineOptions>, FunctionsDeadlineOptionsValidator>();
        services.AddSingleton<IPostConfigureOptions<StreamOptions>>(sp => new StreamDeadlineFromHostTimeout(
            appDirectory,
            configuration,
            sp.GetRequiredService<IOptions<FunctionsDeadlineOptions>>(),
            sp.GetRequiredService<ILogger<StreamDeadlineFromHostTimeout>>()));
        return services;
    }
}
