using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// The read side of a connected, non-blocking socket watched by a <see cref="SocketPoller"/>: a read either receives
/// at once when the socket may hold bytes (reported while no read waited, or the last receive filled its buffer) or
/// waits, and the poller's thread then receives into the reader's buffer and completes the read on that thread, so the
/// reader (the SSE parser) runs there too. A receive shorter than its buffer drained the socket: the next bytes will be
/// reported (edge-triggered), so the next read waits without a receive that would find nothing. One read
/// at a time; a cancellation token is not watched per read (that registration cost as much as the read): stop a
/// stream by disposing it, which fails a waiting read with <see cref="ObjectDisposedException"/>.
/// </summary>
internal sealed class PolledSocketStream : ReadOnlyStream, IValueTaskSource<int>
{
    private readonly Socket _socket;
    private readonly SocketPoller _poller;
    private readonly nint _fd;
    private readonly int _slot;
    private readonly Lock _lock = new();
    private ManualResetValueTaskSourceCore<int> _read; // continuations run inline, on the thread that completes
    private Memory<byte> _waitingBuffer;
    private bool _waiting;
    private bool _mayHaveMore; // bytes (or the end) may be there without a report to come: receive before waiting
    private bool _ended; // the peer closed (or the socket failed): after the last bytes, the end is there at once
    private bool _closed;

    /// <param name="socket">Connected; switched to non-blocking here (it must not have been used asynchronously).</param>
    public PolledSocketStream(Socket socket, SocketPoller poller)
    {
        _socket = socket;
        _poller = poller;
        _socket.Blocking = false;
        _fd = socket.Handle;
        _slot = poller.Add(_fd, this);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (_waiting)
            {
                throw new InvalidOperationException("One read at a time.");
            }

            if (_mayHaveMore && !buffer.IsEmpty)
            {
                var error = Receive(buffer.Span, out var received);
                if (error == SocketError.Success)
                {
                    _mayHaveMore = MayHaveMore(received, buffer.Length);
                    return new ValueTask<int>(received);
                }

                if (error != SocketError.WouldBlock)
                {
                    return ValueTask.FromException<int>(new IOException($"Receiving failed: {error}.", new SocketException((int)error)));
                }

                // Dry: the next bytes will be reported.
                _mayHaveMore = false;
            }

            _read.Reset();
            _waitingBuffer = buffer;
            _waiting = true;
            return new ValueTask<int>(this, _read.Version);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("Reads are asynchronous: the poller completes them.");

    int IValueTaskSource<int>.GetResult(short token) => _read.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _read.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _read.OnCompleted(continuation, state, token, flags);

    /// <summary>
    /// The poller saw bytes arrive, or the end (<paramref name="ended"/>: the peer closed or the socket failed; that
    /// is reported once, so it is remembered): one receive for the waiting read.
    /// </summary>
    internal void OnReady(bool ended)
    {
        SocketError error;
        int received;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _ended |= ended;
            if (!_waiting)
            {
                // Nobody to hand bytes to: the next read receives them (this report will not come again).
                _mayHaveMore = true;
                return;
            }

            // Under the lock: Dispose cannot return the reader's buffer while bytes are being written into it.
            error = Receive(_waitingBuffer.Span, out received);
            if (error == SocketError.WouldBlock)
            {
                return; // a report for a slot's former owner, or bytes another read took
            }

            _mayHaveMore = error == SocketError.Success && MayHaveMore(received, _waitingBuffer.Length);
            _waiting = false;
            _waitingBuffer = default;
        }

        // Outside the lock: the continuation (the parser, then its next read) runs now, on this thread.
        if (error == SocketError.Success)
        {
            _read.SetResult(received);
        }
        else
        {
            _read.SetException(new IOException($"Receiving failed: {error}.", new SocketException((int)error)));
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            bool wasWaiting;
            lock (_lock)
            {
                if (_closed)
                {
                    return;
                }

                _closed = true;
                wasWaiting = _waiting;
                _waiting = false;
                _waitingBuffer = default;
                _poller.Remove(_fd, _slot);
                _socket.Dispose();
            }

            if (wasWaiting)
            {
                _read.SetException(new ObjectDisposedException(nameof(PolledSocketStream), "The stream was stopped."));
            }
        }

        base.Dispose(disposing);
    }

    // A full buffer may have left bytes behind; after the peer's close, the end is read without a report to come.
    private bool MayHaveMore(int received, int asked) => received == asked || received == 0 || _ended;

    private SocketError Receive(Span<byte> buffer, out int received)
    {
        received = _socket.Receive(buffer, SocketFlags.None, out var error);
        return error;
    }
}
