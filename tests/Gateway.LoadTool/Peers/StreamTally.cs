namespace Gateway.LoadTool.Peers;

/// <summary>
/// What one stream received of its channel's events 0…total-1: each sequence's first arrival, repeats, and arrivals
/// after a higher sequence (out of order). Only one reading loop touches it.
/// </summary>
internal sealed class StreamTally(int total)
{
    private readonly bool[] _seen = new bool[total];
    private int _highest = -1;

    public int Distinct { get; private set; }

    public int Duplicated { get; private set; }

    public int OutOfOrder { get; private set; }

    /// <summary>Notes <paramref name="sequence"/>; true when it is its first arrival (a delivery to count).</summary>
    public bool Record(int sequence)
    {
        if ((uint)sequence >= (uint)_seen.Length)
        {
            // Not this run's sequence: reported as out of order, never as a delivery.
            OutOfOrder++;
            return false;
        }

        if (_seen[sequence])
        {
            Duplicated++;
            return false;
        }

        _seen[sequence] = true;
        Distinct++;
        if (sequence < _highest)
        {
            OutOfOrder++;
        }

        _highest = Math.Max(_highest, sequence);
        return true;
    }

    /// <summary>Sequences from <paramref name="from"/> on that never arrived.</summary>
    public int LostFrom(int from) => _seen.AsSpan(from).Count(false);
}
