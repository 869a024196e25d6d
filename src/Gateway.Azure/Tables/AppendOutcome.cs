using Gateway.Core.Events;
using Gateway.Core.Log;

namespace Gateway.Azure.Tables;

/// <summary>
/// The bookkeeping of one append call: which drafts are still to be written, which were committed (and where),
/// and which turned out to be duplicates of a source message appended before.
/// </summary>
internal sealed class AppendOutcome
{
    private readonly IReadOnlyList<EventDraft> _drafts;
    private readonly List<int> _pending = [];
    private readonly List<ChannelEvent> _appended = [];
    private readonly long?[] _offsets;
    private readonly bool[] _duplicate;

    // A later draft with the same source id as an earlier one in the same call: the earlier one stands for it.
    private readonly int[] _sameAs;

    public AppendOutcome(IReadOnlyList<EventDraft> drafts)
    {
        _drafts = drafts;
        _offsets = new long?[drafts.Count];
        _duplicate = new bool[drafts.Count];
        _sameAs = new int[drafts.Count];
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < drafts.Count; i++)
        {
            _sameAs[i] = -1;
            if (drafts[i].SourceId is { } sourceId && !first.TryAdd(sourceId, i))
            {
                _sameAs[i] = first[sourceId];
                continue;
            }

            _pending.Add(i);
        }
    }

    /// <summary>The drafts not yet committed nor found to be duplicates, in call order.</summary>
    public IReadOnlyList<int> Pending => _pending;

    public void Committed(AppendChunk chunk)
    {
        for (var i = 0; i < chunk.Events.Count; i++)
        {
            _offsets[chunk.DraftIndexes[i]] = chunk.Events[i].Offset;
        }

        _appended.AddRange(chunk.Events);
        _pending.RemoveRange(0, chunk.Events.Count);
    }

    public void Duplicate(int draftIndex, long appendedAt)
    {
        _offsets[draftIndex] = appendedAt;
        _duplicate[draftIndex] = true;
        _pending.Remove(draftIndex);
    }

    public AppendResult ToResult(string epoch)
    {
        List<AppendedBefore>? duplicates = null;
        for (var i = 0; i < _drafts.Count; i++)
        {
            if (_duplicate[i] || _sameAs[i] >= 0)
            {
                var offset = _offsets[_sameAs[i] >= 0 ? _sameAs[i] : i]!.Value;
                (duplicates ??= []).Add(new AppendedBefore(_drafts[i].SourceId!, offset));
            }
        }

        return new AppendResult(epoch, _appended, duplicates ?? (IReadOnlyList<AppendedBefore>)[]);
    }
}
