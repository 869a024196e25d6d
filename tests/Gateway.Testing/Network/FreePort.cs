using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing.Network;

/// <summary>
/// A loopback port nobody listens on right now: for a child process that must be told its port up front (an
/// in-process host binds port 0 instead), or for an address that refuses connections.
/// </summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
