using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Gateway.Server;

/// <summary>
/// Binds Kestrel's socket transport options from the <c>Kestrel:Sockets</c> section (e.g. <c>IOQueueCount</c>,
/// <c>UnsafePreferInlineScheduling</c>, <c>MaxWriteBufferSize</c>), so a container can tune the fan-out path's sockets
/// without code. Nothing in the section leaves Kestrel's defaults.
/// </summary>
public static class KestrelSocketsConfiguration
{
    public const string SectionName = "Kestrel:Sockets";

    public static IWebHostBuilder ConfigureKestrelSockets(this IWebHostBuilder builder, IConfiguration configuration) =>
        builder.UseSockets(sockets => configuration.GetSection(SectionName).Bind(sockets));
}
