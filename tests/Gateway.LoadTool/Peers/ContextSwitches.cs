namespace Gateway.LoadTool.Peers;

/// <summary>
/// Context switches: voluntary (a thread blocked: a wait on a futex, <c>epoll_wait</c> with nothing ready, a sleep)
/// and involuntary (the scheduler took the core from a thread that could have run on).
/// </summary>
internal readonly record struct ContextSwitches(long Voluntary, long Involuntary)
{
    public static ContextSwitches operator +(ContextSwitches left, ContextSwitches right) =>
        new(left.Voluntary + right.Voluntary, left.Involuntary + right.Involuntary);

    public static ContextSwitches operator -(ContextSwitches left, ContextSwitches right) =>
        new(left.Voluntary - right.Voluntary, left.Involuntary - right.Involuntary);
}
