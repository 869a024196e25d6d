using System.Text;

namespace Gateway.Testing.Sse;

/// <summary>
/// The raw bytes of one SSE response as they arrived, and the frames in them as soon as each is complete: a frame
/// ends at a blank line, and lines end with CRLF, LF or CR (these bytes never occur inside a UTF-8 sequence, so the
/// bytes are split before they are decoded).
/// </summary>
public sealed class SseFrameLog
{
    private readonly MemoryStream _bytes = new();
    private readonly List<SseFrame> _frames = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _frameStart;
    private int _lineStart;
    private int _scan;
    private bool _frameHasLines;

    /// <summary>Everything received so far, as UTF-8 text.</summary>
    public string Text
    {
        get
        {
            lock (_gate)
            {
                return Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length);
            }
        }
    }

    public byte[] Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes.ToArray();
            }
        }
    }

    public IReadOnlyList<SseFrame> Frames
    {
        get
        {
            lock (_gate)
            {
                return [.. _frames];
            }
        }
    }

    /// <summary>What was received after the last complete frame (empty when every frame is complete).</summary>
    public string Unfinished
    {
        get
        {
            lock (_gate)
            {
                return _bytes.Length > _frameStart ? Encoding.UTF8.GetString(_bytes.GetBuffer(), _frameStart, (int)_bytes.Length - _frameStart) : "";
            }
        }
    }

    /// <summary>Completes at the next <see cref="Append"/>; take it before looking for a frame, then wait on it.</summary>
    public Task Appended
    {
        get
        {
            lock (_gate)
            {
                return _appended.Task;
            }
        }
    }

    public bool TryGetFrame(int index, out SseFrame frame)
    {
        lock (_gate)
        {
            frame = index < _frames.Count ? _frames[index] : null!;
            return index < _frames.Count;
        }
    }

    public void Append(ReadOnlySpan<byte> chunk)
    {
        TaskCompletionSource appended;
        lock (_gate)
        {
            _bytes.Write(chunk);
            Split();
            appended = _appended;
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        appended.TrySetResult();
    }

    private void Split()
    {
        var buffer = _bytes.GetBuffer();
        var length = (int)_bytes.Length;
        while (_scan < length)
        {
            var b = buffer[_scan];
            if (b is not (byte)'\n' and not (byte)'\r')
            {
                _scan++;
                continue;
            }

            if (b == '\r' && _scan + 1 == length)
            {
                // A CR last: it may be the first half of a CRLF still on its way.
                return;
            }

            var next = _scan + (b == '\r' && buffer[_scan + 1] == '\n' ? 2 : 1);
            if (_scan > _lineStart)
            {
                _frameHasLines = true;
            }
            else
            {
                if (_frameHasLines)
                {
                    _frames.Add(new SseFrame(Encoding.UTF8.GetString(buffer, _frameStart, next - _frameStart)));
                }

                _frameStart = next;
                _frameHasLines = false;
            }

            _lineStart = next;
            _scan = next;
        }
    }
}
