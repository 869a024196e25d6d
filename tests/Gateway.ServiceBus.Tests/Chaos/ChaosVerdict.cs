using System.Text;

namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>
/// Judges a finished run. The log: each channel's offsets are 1..n without a gap, in one epoch, and hold every
/// message sent to the channel exactly once. Each client: it received every offset of its channel's log exactly
/// once and in order, with the log's event at each offset, and no reset. Every anomaly names the client, the
/// offsets, the connection, when, and the fault that preceded it.
/// </summary>
public sealed class ChaosVerdict
{
    private const int ShownPerKind = 8;

    private readonly List<string> _problems = [];

    public IReadOnlyList<string> Problems => _problems;

    public long Delivered { get; private set; }

    public static ChaosVerdict Judge(
        ChaosRunOptions options,
        IReadOnlyList<int> attempts,
        IReadOnlyDictionary<string, List<ChaosLogRow>> logs,
        IReadOnlyList<ChaosReceiver> clients,
        ChaosTimeline timeline)
    {
        var verdict = new ChaosVerdict();
        foreach (var (channel, rows) in logs.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            verdict.JudgeLog(options, channel, rows, attempts);
        }

        foreach (var client in clients)
        {
            verdict.JudgeClient(client, logs[client.Channel], timeline);
        }

        return verdict;
    }

    public string Report() =>
        _problems.Count == 0 ? "PASS: every log holds each message once; every client got every event of its channel once, in order." : "FAIL:\n" + string.Join('\n', _problems);

    private void JudgeLog(ChaosRunOptions options, string channel, List<ChaosLogRow> rows, IReadOnlyList<int> attempts)
    {
        var offsets = rows.Select(r => r.Offset).ToList();
        if (!offsets.SequenceEqual(Enumerable.Range(1, rows.Count).Select(i => (long)i)))
        {
            _problems.Add($"log {channel}: offsets are not 1..{rows.Count}: {Ranges(offsets)}");
        }

        var epochs = rows.Select(r => r.Epoch).Distinct().ToList();
        if (epochs.Count > 1)
        {
            _problems.Add($"log {channel}: more than one epoch: {string.Join(", ", epochs)}");
        }

        var sent = Enumerable.Range(0, options.Events).Where(s => ChaosProducer.Channel(s, options.Channels) == channel).ToHashSet();
        var bySeq = rows.GroupBy(r => r.Seq).ToDictionary(g => g.Key, g => g.Select(r => r.Offset).ToList());
        var lost = sent.Where(s => !bySeq.ContainsKey(s)).Order().ToList();
        if (lost.Count > 0)
        {
            _problems.Add($"log {channel}: {lost.Count} sent messages missing: seq {Ranges(lost.Select(s => (long)s))}");
        }

        foreach (var (seq, at) in bySeq.Where(b => b.Value.Count > 1).Take(ShownPerKind))
        {
            var resent = seq >= 0 && seq < attempts.Count && attempts[seq] > 1
                ? $"the producer sent it {attempts[seq]} times after failed sends; the broker's duplicate detection should have dropped the resend"
                : "the producer sent it once";
            _problems.Add($"log {channel}: seq {seq} appended {at.Count} times, at offsets {string.Join(", ", at)} ({resent})");
        }

        var foreign = bySeq.Keys.Where(s => !sent.Contains(s)).ToList();
        if (foreign.Count > 0)
        {
            _problems.Add($"log {channel}: {foreign.Count} events that were not sent to this channel: seq {string.Join(", ", foreign.Take(ShownPerKind))}");
        }
    }

    private void JudgeClient(ChaosReceiver client, List<ChaosLogRow> log, ChaosTimeline timeline)
    {
        var received = client.Received;
        Delivered += received.Count(r => r.EventType != "reset");
        var issues = new List<string>();
        var seen = new HashSet<long>();
        var highest = 0L;
        var doubled = 0;
        var reordered = 0;
        var mismatched = 0;
        foreach (var r in received)
        {
            if (r.EventType == "reset")
            {
                issues.Add($"reset on connection {r.Connection} at {Where(r, timeline)}: {r.Data}");
                continue;
            }

            if (r.Offset < 1)
            {
                issues.Add($"event without a gateway id on connection {r.Connection}: id '{r.Id}', data {r.Data}");
                continue;
            }

            if (!seen.Add(r.Offset))
            {
                if (doubled++ < ShownPerKind)
                {
                    issues.Add($"offset {r.Offset} doubled: again on connection {r.Connection} at {Where(r, timeline)}");
                }
            }
            else if (r.Offset < highest)
            {
                if (reordered++ < ShownPerKind)
                {
                    issues.Add($"offset {r.Offset} out of order: after {highest}, on connection {r.Connection} at {Where(r, timeline)}");
                }
            }

            if (r.Offset <= log.Count && log[(int)r.Offset - 1].Seq != r.Seq)
            {
                if (mismatched++ < ShownPerKind)
                {
                    issues.Add($"offset {r.Offset} carried seq {r.Seq}, the log has seq {log[(int)r.Offset - 1].Seq} there (connection {r.Connection})");
                }
            }

            highest = Math.Max(highest, r.Offset);
        }

        var lost = Enumerable.Range(1, log.Count).Select(i => (long)i).Where(o => !seen.Contains(o)).ToList();
        if (lost.Count > 0)
        {
            // The event just before the first missing one tells when the hole opened.
            var before = received.LastOrDefault(r => r.Offset == lost[0] - 1);
            var when = before is null ? "" : $"; offset {before.Offset} came on connection {before.Connection} at {Where(before, timeline)}";
            issues.Add($"{lost.Count} offsets never received: {Ranges(lost)}{when}");
        }

        var beyond = received.Where(r => r.Offset > log.Count).Select(r => r.Offset).Distinct().ToList();
        if (beyond.Count > 0)
        {
            issues.Add($"offsets past the log's end ({log.Count}): {Ranges(beyond)}");
        }

        if (doubled > ShownPerKind || reordered > ShownPerKind || mismatched > ShownPerKind)
        {
            issues.Add($"in all: {doubled} doubled, {reordered} out of order, {mismatched} with other data than the log");
        }

        foreach (var issue in issues)
        {
            _problems.Add($"{client.Name}: {issue}");
        }
    }

    private static string Where(ChaosDelivery r, ChaosTimeline timeline) =>
        $"{ChaosTimeline.Format(r.At)} (last fault before: {timeline.FaultBefore(r.At) ?? "none"})";

    /// <summary>Numbers as ranges: 1..5, 7, 9..12 (at most a few dozen shown).</summary>
    public static string Ranges(IEnumerable<long> numbers)
    {
        var text = new StringBuilder();
        var parts = 0;
        long? start = null;
        long previous = 0;
        foreach (var n in numbers)
        {
            if (start is not null && n == previous + 1)
            {
                previous = n;
                continue;
            }

            if (start is not null)
            {
                Append(start.Value, previous);
            }

            start = previous = n;
        }

        if (start is not null)
        {
            Append(start.Value, previous);
        }

        return parts > 30 ? text.ToString() + " …" : text.ToString();

        void Append(long from, long to)
        {
            if (++parts > 30)
            {
                return;
            }

            text.Append(parts > 1 ? ", " : "").Append(from == to ? $"{from}" : $"{from}..{to}");
        }
    }
}
