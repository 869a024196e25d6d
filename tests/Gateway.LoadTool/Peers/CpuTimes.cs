namespace Gateway.LoadTool.Peers;

/// <summary>
/// CPU seconds spent in user mode (the process's own code: for the gateway, .NET and Kestrel) and in the kernel on its
/// behalf (system: syscalls such as <c>send</c> and <c>epoll_wait</c>, futex wake-ups, faults), as <c>utime</c> and
/// <c>stime</c> of <c>/proc/&lt;pid&gt;/stat</c> count them. With tick-based accounting the kernel samples the mode
/// at each tick, so the split is statistical: sound over a window of seconds, not for a few milliseconds.
/// </summary>
internal readonly record struct CpuTimes(double User, double System)
{
    public double Total => User + System;

    public static CpuTimes operator +(CpuTimes left, CpuTimes right) => new(left.User + right.User, left.System + right.System);

    public static CpuTimes operator -(CpuTimes left, CpuTimes right) => new(left.User - right.User, left.System - right.System);
}
