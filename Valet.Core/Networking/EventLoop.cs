using System.Runtime.InteropServices;

namespace Valet.Core.Networking;

/// <summary>
/// One epoll instance and the thread that waits on it, as nginx runs one per worker: each socket
/// registered here is watched edge-triggered for reading and writing, and the operation waiting on
/// it is completed on this thread, its continuation run inline. There is one loop per core; sockets
/// are spread over them round robin.
/// </summary>
public sealed unsafe class EventLoop
{
    private const int MaxEvents = 256;

    private static readonly Lazy<EventLoop[]> Loops = new(() =>
        Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount)).Select(i => new EventLoop(i)).ToArray());

    private static int _next;

    [ThreadStatic] private static EventLoop? _current;

    private readonly int _epoll;
    private readonly object _gate = new();
    private readonly Stack<int> _free = new();
    private LoopSocket?[] _slots = new LoopSocket?[256];
    private int _used;
    private uint _generation;

    private EventLoop(int index)
    {
        _epoll = Libc.EpollCreate(Libc.EPOLL_CLOEXEC);
        if (_epoll < 0) throw new IOException($"epoll_create1 failed (errno {Marshal.GetLastPInvokeError()})");
        var thread = new Thread(Run) { IsBackground = true, Name = $"valet-loop-{index}" };
        thread.UnsafeStart();
    }

    /// <summary>Whether this process can run the loops (Linux on x86-64 or Arm64).</summary>
    public static bool IsSupported => Libc.IsSupported;

    /// <summary>The loop whose thread is running the caller, or the next one round robin.</summary>
    public static EventLoop Pick()
    {
        if (_current is { } current) return current;
        var loops = Loops.Value;
        return loops[(int)((uint)Interlocked.Increment(ref _next) % (uint)loops.Length)];
    }

    /// <summary>Watches <paramref name="socket"/>'s descriptor; its events reach <see cref="LoopSocket.OnEvents"/>.</summary>
    internal void Register(LoopSocket socket, SafeHandle handle)
    {
        ulong tag;
        lock (_gate)
        {
            int slot;
            if (_free.Count > 0)
            {
                slot = _free.Pop();
            }
            else
            {
                if (_used == _slots.Length)
                {
                    var grown = new LoopSocket?[_slots.Length * 2];
                    _slots.CopyTo(grown, 0);
                    Volatile.Write(ref _slots, grown);
                }

                slot = _used++;
            }

            // The generation tells a late event for a closed socket from one for the socket now in its slot.
            tag = (ulong)++_generation << 32 | (uint)slot;
            socket.Tag = tag;
            Volatile.Write(ref _slots[slot], socket);
        }

        var ev = stackalloc byte[16];
        *(uint*)ev = Libc.EPOLLIN | Libc.EPOLLOUT | Libc.EPOLLRDHUP | Libc.EPOLLET;
        *(ulong*)(ev + Libc.EventDataOffset) = tag;
        if (Libc.EpollCtl(_epoll, Libc.EPOLL_CTL_ADD, handle, ev) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Unregister(socket);
            throw new IOException($"epoll_ctl(ADD) failed (errno {errno})");
        }
    }

    /// <summary>Frees the socket's slot; closing its descriptor takes it out of the epoll set.</summary>
    internal void Unregister(LoopSocket socket)
    {
        lock (_gate)
        {
            var slot = (int)(uint)socket.Tag;
            if (slot < _used && ReferenceEquals(_slots[slot], socket))
            {
                _slots[slot] = null;
                _free.Push(slot);
            }
        }
    }

    private void Run()
    {
        _current = this;
        var size = Libc.EventSize;
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * size));
        while (true)
        {
            var count = Libc.EpollWait(_epoll, events, MaxEvents, -1);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
                Environment.FailFast($"epoll_wait failed (errno {Marshal.GetLastPInvokeError()})");
            }

            var slots = Volatile.Read(ref _slots);
            for (var i = 0; i < count; i++)
            {
                var entry = events + i * size;
                var tag = *(ulong*)(entry + Libc.EventDataOffset);
                var slot = (int)(uint)tag;
                if (slot >= slots.Length || Volatile.Read(ref slots[slot]) is not { } socket || socket.Tag != tag) continue;
                try
                {
                    socket.OnEvents(*(uint*)entry);
                }
                catch (Exception e)
                {
                    // Continuations run here inline; one that throws must not stop every other socket's.
                    Console.Error.WriteLine($"valet: an event loop continuation failed: {e}");
                }
            }
        }
    }
}
