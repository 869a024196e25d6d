using Gateway.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Testing.Hosting;

/// <summary>
/// The gateway's services as the server host registers them from the given configuration, without a web server:
/// <see cref="GatewayServer.Build"/>'s app, never started (no hosted service runs, nothing listens). Tests get the
/// log, the bus and the validated options the host would get, through the one registration users run.
/// </summary>
public sealed class GatewayServices : IServiceProvider, IDisposable, IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayServices(WebApplication app) => _app = app;

    /// <param name="settings">Configuration keys and values (null values are left out).</param>
    /// <param name="time">The clock the services get, in place of the system's.</param>
    /// <param name="configure">
    /// Runs after the gateway's own registrations (last one wins), e.g. to add a policy to a named Azure client's options.
    /// </param>
    public static GatewayServices Build(
        IEnumerable<KeyValuePair<string, string?>> settings, TimeProvider? time = null, Action<IServiceCollection>? configure = null) =>
        new(GatewayServer.Build(
            GatewayArguments.For("http://127.0.0.1:0", GatewayArguments.From(settings)),
            builder =>
            {
                if (time is not null)
                {
                    builder.Services.AddSingleton(time);
                }

                configure?.Invoke(builder.Services);
            }));

    public object? GetService(Type serviceType) => _app.Services.GetService(serviceType);

    public void Dispose() => ((IDisposable)_app).Dispose();

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
