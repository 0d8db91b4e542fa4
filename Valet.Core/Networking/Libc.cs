using System.Runtime.InteropServices;

namespace Valet.Core.Networking;

/// <summary>
/// The Linux system calls the event loops make: epoll, and recv/send/writev on sockets that .NET's
/// own socket engine never sees. The socket calls take the <see cref="SafeHandle"/> so a descriptor
/// cannot be closed (and its number reused) while a call on it is in flight.
/// </summary>
internal static unsafe class Libc
{
    public const int EAGAIN = 11;
    public const int EINTR = 4;

    public const uint EPOLLIN = 0x001;
    public const uint EPOLLOUT = 0x004;
    public const uint EPOLLERR = 0x008;
    public const uint EPOLLHUP = 0x010;
    public const uint EPOLLRDHUP = 0x2000;
    public const uint EPOLLET = 1u << 31;

    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CLOEXEC = 0x80000;

    public const int MSG_NOSIGNAL = 0x4000;

    /// <summary>struct epoll_event is packed on x86-64 (12 bytes), naturally aligned elsewhere (16).</summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    public static readonly int EventDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [DllImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static extern int EpollCreate(int flags);

    [DllImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static extern int EpollCtl(int epfd, int op, SafeHandle fd, byte* ev);

    [DllImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static extern int EpollWait(int epfd, byte* events, int maxEvents, int timeout);

    [DllImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static extern nint Recv(SafeHandle fd, byte* buffer, nuint length, int flags);

    [DllImport("libc", EntryPoint = "send", SetLastError = true)]
    public static extern nint Send(SafeHandle fd, byte* buffer, nuint length, int flags);

    [DllImport("libc", EntryPoint = "writev", SetLastError = true)]
    public static extern nint Writev(SafeHandle fd, IoVec* iov, int count);

    /// <summary>Whether this process can run the loops: Linux on x86-64 or Arm64.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux()
                                      && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;
}
