using System.Diagnostics;
using System.Text;

namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>
/// What happened when, from the start of the run: faults, progress, notable connection outcomes. Every line also
/// goes at once to a file (its path is printed first), so a long run can be followed with <c>tail -f</c>;
/// <see cref="Detail"/> lines (server output, each failed connection) go only there.
/// </summary>
public sealed class ChaosTimeline : IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(TimeSpan At, string Line, bool IsFault)> _entries = [];
    private readonly StreamWriter _file;

    public ChaosTimeline(string path)
    {
        FilePath = path;
        _file = new StreamWriter(path, append: false, Encoding.UTF8) { AutoFlush = true };
    }

    public string FilePath { get; }

    public TimeSpan Now => _clock.Elapsed;

    public void Add(string line) => Write(line, isFault: false, detail: false);

    /// <summary>A fault, so that an anomaly can name the fault that preceded it.</summary>
    public void Fault(string line) => Write(line, isFault: true, detail: false);

    /// <summary>Written to the file only.</summary>
    public void Detail(string line) => Write(line, isFault: false, detail: true);

    /// <summary>The last fault line at or before <paramref name="at"/>, with its time, or null.</summary>
    public string? FaultBefore(TimeSpan at)
    {
        lock (_entries)
        {
            for (var i = _entries.Count - 1; i >= 0; i--)
            {
                if (_entries[i].IsFault && _entries[i].At <= at)
                {
                    return $"{Format(_entries[i].At)} {_entries[i].Line}";
                }
            }
        }

        return null;
    }

    /// <summary>Every line but the details, in order.</summary>
    public string Text()
    {
        lock (_entries)
        {
            return string.Join('\n', _entries.Select(e => $"{Format(e.At)} {e.Line}"));
        }
    }

    public void Dispose() => _file.Dispose();

    public static string Format(TimeSpan at) => $"[{at.TotalSeconds,7:0.000} s]";

    private void Write(string line, bool isFault, bool detail)
    {
        var at = _clock.Elapsed;
        lock (_entries)
        {
            if (!detail)
            {
                _entries.Add((at, line, isFault));
            }

            _file.WriteLine($"{Format(at)} {(detail ? "  · " : "")}{line}");
        }
    }
}
