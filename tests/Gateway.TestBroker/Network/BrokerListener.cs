using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.TestBroker.Administration;

namespace Gateway.TestBroker.Network;

/// <summary>
/// The broker's one TCP port on 127.0.0.1. The Service Bus client speaks AMQP there, and with
/// UseDevelopmentEmulator the administration client sends plain HTTP to the same host:port, so the first
/// bytes of each connection decide: <c>AMQP</c> goes to AMQPNetLite, anything else to the HTTP handler.
/// Can be stopped (every connection dropped, as in an outage) and started again on the same port.
/// </summary>
internal sealed class BrokerListener(AcceptedTransports amqp, AdministrationHttp http) : IDisposable
{
    static readonly TimeSpan FirstBytesTimeout = TimeSpan.FromSeconds(10);
    static readonly byte[] AmqpMagic = "AMQP"u8.ToArray();

    readonly ConcurrentDictionary<Socket, bool> connections = new();
    readonly Lock gate = new();
    Socket? listenSocket;
    CancellationTokenSource? stopping;

    public int Port { get; private set; }

    /// <summary>Binds 127.0.0.1 on <paramref name="port"/> (0: a free port, kept for later restarts).</summary>
    public void Start(int port)
    {
        lock (gate)
        {
            if (listenSocket is not null)
            {
                return;
            }

            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            // Rebinding the same port right after Stop must not fail on connections still in TIME_WAIT.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen(128);
            Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
            listenSocket = socket;
            stopping = new CancellationTokenSource();
            _ = AcceptLoopAsync(socket, stopping.Token);
        }
    }

    /// <summary>Stops listening and drops every open connection.</summary>
    public void Stop()
    {
        lock (gate)
        {
            if (listenSocket is null)
            {
                return;
            }

            stopping!.Cancel();
            stopping.Dispose();
            listenSocket.Dispose();
            listenSocket = null;
        }

        foreach (var socket in connections.Keys)
        {
            Drop(socket);
        }
    }

    public void Dispose() => Stop();

    async Task AcceptLoopAsync(Socket socket, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            accepted.NoDelay = true;
            connections[accepted] = true;
            _ = ServeAsync(accepted, cancellationToken);
        }
    }

    async Task ServeAsync(Socket socket, CancellationToken cancellationToken)
    {
        try
        {
            var prefix = await ReadFirstBytesAsync(socket, cancellationToken).ConfigureAwait(false);
            if (prefix.AsSpan().SequenceEqual(AmqpMagic))
            {
                amqp.Add(new SocketTransport(socket, prefix, Forget));
                return;
            }

            if (prefix.Length > 0)
            {
                await http.ServeAsync(socket, prefix, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
            // The peer went away or the listener stopped.
        }

        Drop(socket);
    }

    static async Task<byte[]> ReadFirstBytesAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(FirstBytesTimeout);
        var prefix = new byte[AmqpMagic.Length];
        var read = 0;
        while (read < prefix.Length)
        {
            var n = await socket.ReceiveAsync(prefix.AsMemory(read), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return prefix[..read];
    }

    void Drop(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        socket.Dispose();
        Forget(socket);
    }

    void Forget(Socket socket) => connections.TryRemove(socket, out _);
}
