using System.Net;
using Gateway.Core.Access;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Gateway.Server;

/// <summary>
/// Says at start that the server listens beyond this machine without <c>Gateway:Auth</c>: then anyone who can reach
/// it reads every channel's retained history and publishes anywhere. On 127.0.0.1 (the default) that is the point.
/// </summary>
internal sealed partial class OpenListenerWarning(
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<AuthOptions> auth,
    ILogger<OpenListenerWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Addresses are known once the server has bound them.
        lifetime.ApplicationStarted.Register(Check);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static bool IsLoopback(string address)
    {
        var host = BindingAddress.Parse(address).Host.Trim('[', ']');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    private void Check()
    {
        if (auth.Value.IsEnabled)
        {
            return;
        }

        var open = server.Features.Get<IServerAddressesFeature>()?.Addresses.Where(a => !IsLoopback(a)).ToList() ?? [];
        if (open.Count > 0)
        {
            LogOpen(string.Join(", ", open));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening on {Addresses} without Gateway:Auth: anyone who can reach this address may read every channel and publish. Set Gateway:Auth:SigningKey or Gateway:Auth:Authority, or listen on 127.0.0.1 only.")]
    private partial void LogOpen(string addresses);
}
