using System.Globalization;
using Gateway.LoadTool.Peers;
using Gateway.Testing;
using Gateway.Testing.Processes;
using Xunit;

namespace Gateway.Tests.LoadTool;

/// <summary>
/// The peer bench's split of a server's CPU into user and kernel time, and its count of context switches, read from
/// <c>/proc</c> for real child processes whose work is of one kind: a shell spinning (user), <c>dd</c> copying
/// /dev/zero to /dev/null in 1 MiB blocks (the kernel zeroes every block), a shell sleeping in a loop (it blocks).
/// Only which side is larger is asserted, after a bounded wait for enough CPU to sample; never a time or a speed.
/// </summary>
public sealed class ServerCpuSplitTests
{
    // Enough ticks (100 per second) for the kernel's per-tick sampling of user or kernel mode to show the split.
    private const double SampledSeconds = 0.4;

    [Fact]
    public async Task A_spinning_shell_spends_its_cpu_in_user_mode()
    {
        await using var spinner = ChildProcess.Start(new ChildProcessStart("sh", ["-c", "while :; do :; done"]));

        var cpu = await SampleAsync(new ProcessTree(spinner.Id));

        Assert.True(cpu.User > cpu.System, $"user {cpu.User} s, system {cpu.System} s");
    }

    [Fact]
    public async Task Dd_from_dev_zero_spends_its_cpu_in_the_kernel()
    {
        await using var dd = ChildProcess.Start(new ChildProcessStart("dd", ["if=/dev/zero", "of=/dev/null", "bs=1M"]));

        var cpu = await SampleAsync(new ProcessTree(dd.Id));

        Assert.True(cpu.System > cpu.User, $"user {cpu.User} s, system {cpu.System} s");
    }

    [Fact]
    public async Task The_total_of_the_split_is_the_cpu_the_tree_reported_before()
    {
        await using var spinner = ChildProcess.Start(new ChildProcessStart("sh", ["-c", "while :; do :; done"]));
        var tree = new ProcessTree(spinner.Id);
        await SampleAsync(tree);
        using (var stop = System.Diagnostics.Process.Start("kill", ["-STOP", spinner.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await stop.WaitForExitAsync(Waits.ForTest()); // stopped, not ended: its figures stay readable and no longer move
        }

        var (before, cpu, after) = (tree.CpuSeconds(), tree.UserAndSystemSeconds(), tree.CpuSeconds());

        Assert.True(before >= SampledSeconds, $"{before} s");
        Assert.Equal(before, after);
        Assert.Equal(before, cpu.Total, precision: 9);
    }

    [Fact]
    public async Task A_shell_that_sleeps_in_a_loop_switches_voluntarily_and_no_count_is_negative()
    {
        var counter = Path.Combine(Path.GetTempPath(), $"switches-{Guid.NewGuid():N}");
        try
        {
            // Each round the shell waits for its `sleep` child: it blocks, a voluntary switch of a thread that lives on.
            await using var sleeper = ChildProcess.Start(new ChildProcessStart(
                "sh", ["-c", "i=0; while :; do i=$((i+1)); echo $i > \"$0\"; sleep 0.01; done", counter]));
            var tree = new ProcessTree(sleeper.Id);
            await Waits.UntilAsync(() => Rounds(counter) >= 1, Waits.Test, "the sleeping loop to start");
            var before = tree.Switches();
            var round = Rounds(counter);
            await Waits.UntilAsync(() => Rounds(counter) >= round + 3, Waits.Test, "three more rounds of the loop");

            var switches = tree.Switches().Since(before);

            Assert.True(switches.Voluntary > 0, $"voluntary {switches.Voluntary}");
            Assert.True(switches.Involuntary >= 0, $"involuntary {switches.Involuntary}");
            Assert.Contains(sleeper.Id, before.Threads.Keys); // the main thread's id is the process's
        }
        finally
        {
            File.Delete(counter);
        }
    }

    [Fact]
    public void Switches_since_a_snapshot_count_new_threads_from_zero_and_lose_ended_ones_without_going_negative()
    {
        var before = new SwitchSnapshot(new Dictionary<int, ContextSwitches> { [1] = new(10, 2), [2] = new(500, 90) });
        var after = new SwitchSnapshot(new Dictionary<int, ContextSwitches> { [1] = new(15, 3), [3] = new(4, 0) });

        Assert.Equal(new ContextSwitches(5 + 4, 1 + 0), after.Since(before));
    }

    private static async Task<CpuTimes> SampleAsync(ProcessTree tree)
    {
        await Waits.UntilAsync(() => tree.UserAndSystemSeconds().Total >= SampledSeconds, Waits.Test, $"{SampledSeconds} s of the child's CPU");
        return tree.UserAndSystemSeconds();
    }

    private static int Rounds(string counter)
    {
        try
        {
            return int.TryParse(File.ReadAllText(counter).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var rounds) ? rounds : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
