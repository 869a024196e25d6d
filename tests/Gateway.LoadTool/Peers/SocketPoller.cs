using System.Runtime.InteropServices;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// One thread that waits on Linux epoll for every stream of a receiving process and hands each ready socket to its
/// <see cref="PolledSocketStream"/>, which reads it once and runs the SSE parsing on this thread. Why not the runtime's
/// sockets: at 10,000 streams an event per stream costs the runtime two <c>recv</c> calls (the second finds nothing),
/// a thread-pool hop and a wake-up of a pool thread; here it is one <c>recv</c> and the share of one
/// <c>epoll_wait</c>, which made the tool cheaper per delivery than the servers it measures. Edge-triggered: a socket
/// is reported when bytes (or its end) arrive, not again on every wait while some are left, so its stream remembers a
/// socket it may not have drained (<see cref="PolledSocketStream"/>).
/// </summary>
internal sealed unsafe partial class SocketPoller : IDisposable
{
    private const int MaxEvents = 512;
    private const int WaitMilliseconds = 250; // how soon the thread notices Dispose
    private const uint EpollIn = 0x001;
    private const uint EpollErr = 0x008;
    private const uint EpollHup = 0x010;
    private const uint EpollRdHup = 0x2000;
    private const uint EpollEdgeTriggered = 1u << 31;
    private const int CtlAdd = 1;
    private const int CtlDelete = 2;
    private const int Interrupted = 4; // EINTR

    // struct epoll_event is packed on x86-64 (12 bytes, the data at offset 4) and naturally aligned elsewhere (16, at 8).
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = EventSize - 8;

    private readonly int _epoll;
    private readonly Thread _thread;
    private readonly Lock _slotsLock = new();
    private readonly Stack<int> _freeSlots = new();
    private PolledSocketStream?[] _slots = new PolledSocketStream?[256];
    private int _usedSlots;
    private volatile bool _stopping;

    public SocketPoller(string name)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The raw SSE client polls with Linux epoll; use --Client http elsewhere.");
        }

        _epoll = EpollCreate1(0);
        if (_epoll < 0)
        {
            throw new IOException($"epoll_create1 failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>The first fault of the polling thread (it stops then), for the run's report.</summary>
    public Exception? Fault { get; private set; }

    public void Dispose()
    {
        _stopping = true;
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }

        _ = Close(_epoll);
    }

    /// <summary>Watches <paramref name="fd"/> for <paramref name="stream"/>; returns the slot that names it here.</summary>
    internal int Add(nint fd, PolledSocketStream stream)
    {
        int slot;
        lock (_slotsLock)
        {
            if (!_freeSlots.TryPop(out slot))
            {
                slot = _usedSlots++;
                if (slot == _slots.Length)
                {
                    var grown = new PolledSocketStream?[_slots.Length * 2];
                    _slots.CopyTo(grown, 0);
                    Volatile.Write(ref _slots, grown);
                }
            }

            _slots[slot] = stream;
        }

        Control(CtlAdd, fd, EpollIn | EpollRdHup | EpollEdgeTriggered, slot);
        return slot;
    }

    /// <summary>Stops watching <paramref name="fd"/> (before it is closed) and frees its slot.</summary>
    internal void Remove(nint fd, int slot)
    {
        var ev = stackalloc byte[16];
        _ = EpollCtl(_epoll, CtlDelete, (int)fd, ev);
        lock (_slotsLock)
        {
            // An event already taken from epoll may still name this slot: the next owner then reads once for nothing.
            _slots[slot] = null;
            _freeSlots.Push(slot);
        }
    }

    private void Control(int operation, nint fd, uint events, int slot)
    {
        var ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + DataOffset) = (ulong)slot;
        if (EpollCtl(_epoll, operation, (int)fd, ev) != 0)
        {
            throw new IOException($"epoll_ctl({operation}) failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    private void Run()
    {
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * EventSize));
        try
        {
            while (!_stopping)
            {
                var ready = EpollWait(_epoll, events, MaxEvents, WaitMilliseconds);
                if (ready < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Interrupted)
                    {
                        continue;
                    }

                    throw new IOException($"epoll_wait failed (errno {Marshal.GetLastPInvokeError()}).");
                }

                var slots = Volatile.Read(ref _slots);
                for (var i = 0; i < ready; i++)
                {
                    var ev = events + (i * EventSize);
                    var slot = (int)*(ulong*)(ev + DataOffset);
                    if ((uint)slot < (uint)slots.Length && Volatile.Read(ref slots[slot]) is { } stream)
                    {
                        stream.OnReady(ended: (*(uint*)ev & (EpollRdHup | EpollHup | EpollErr)) != 0);
                    }
                }
            }
        }
        catch (Exception error)
        {
            // Every stream then waits until the run's timeout; the report names the cause.
            Fault = error;
            Console.Error.WriteLine($"The socket poller stopped: {error}");
        }
        finally
        {
            NativeMemory.Free(events);
        }
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epfd, byte* events, int maxEvents, int timeout);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
