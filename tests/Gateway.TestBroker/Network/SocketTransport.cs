using System.Net.Sockets;
using Amqp;

namespace Gateway.TestBroker.Network;

/// <summary>An AMQP transport over an accepted socket whose first bytes were already read to tell AMQP from HTTP.</summary>
internal sealed class SocketTransport(Socket socket, byte[] prefix, Action<Socket> onClosed) : IAsyncTransport
{
    readonly Lock sendLock = new();
    int prefixOffset;

    public void SetConnection(Connection connection)
    {
        // The socket needs nothing from the connection.
    }

    public Task SendAsync(IList<ByteBuffer> bufferList, int listSize)
    {
        try
        {
            foreach (var buffer in bufferList)
            {
                SendAll(buffer);
            }

            return Task.CompletedTask;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return Task.FromException(ex);
        }
    }

    public void Send(ByteBuffer buffer) => SendAll(buffer);

    public async Task<int> ReceiveAsync(byte[] buffer, int offset, int count)
    {
        if (TakePrefix(buffer, offset, count) is > 0 and var taken)
        {
            return taken;
        }

        try
        {
            return await socket.ReceiveAsync(buffer.AsMemory(offset, count), SocketFlags.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return 0;
        }
    }

    public int Receive(byte[] buffer, int offset, int count)
    {
        if (TakePrefix(buffer, offset, count) is > 0 and var taken)
        {
            return taken;
        }

        try
        {
            return socket.Receive(buffer, offset, count, SocketFlags.None);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return 0;
        }
    }

    public void Close()
    {
        socket.Dispose();
        onClosed(socket);
    }

    void SendAll(ByteBuffer buffer)
    {
        // Frames from several links are written whole, one at a time.
        lock (sendLock)
        {
            var sent = 0;
            while (sent < buffer.Length)
            {
                sent += socket.Send(buffer.Buffer, buffer.Offset + sent, buffer.Length - sent, SocketFlags.None);
            }
        }
    }

    int TakePrefix(byte[] buffer, int offset, int count)
    {
        var taken = Math.Min(count, prefix.Length - prefixOffset);
        if (taken <= 0)
        {
            return 0;
        }

        Array.Copy(prefix, prefixOffset, buffer, offset, taken);
        prefixOffset += taken;
        return taken;
    }
}
