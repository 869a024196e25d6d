namespace Gateway.Testing.Processes;

/// <summary>The last lines a child process printed (stdout and stderr), kept for failure messages.</summary>
public sealed class ProcessOutputTail(int capacity = 50)
{
    private readonly Queue<string> _lines = new();

    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    public override string ToString()
    {
        lock (_lines)
        {
            return string.Join('\n', _lines);
        }
    }
}
