using Azure;
using Azure.Data.Tables;

namespace Gateway.Azure.Tables;

/// <summary>
/// Rows of one partition to delete, collected in order and deleted in entity-group transactions of up to
/// <see cref="AppendChunk.MaxActions"/>: a batch goes as soon as it is full, so batches are deleted in the order their
/// rows were added (events before the markers that guard them).
/// </summary>
internal sealed class TableRowDeletions(TableClient table, string partitionKey)
{
    private readonly List<string> _rowKeys = new(AppendChunk.MaxActions);

    public async Task AddAsync(string rowKey, CancellationToken cancellationToken)
    {
        _rowKeys.Add(rowKey);
        if (_rowKeys.Count == AppendChunk.MaxActions)
        {
            await FlushAsync(cancellationToken);
        }
    }

    /// <summary>Deletes the rows collected since the last batch.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_rowKeys.Count == 0)
        {
            return;
        }

        try
        {
            await table.SubmitTransactionAsync(
                _rowKeys.Select(key => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partitionKey, key), ETag.All)),
                cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 404)
        {
            // Another instance's retention got to some of them first: delete the rest one by one (a missing row is fine).
            foreach (var key in _rowKeys)
            {
                await table.DeleteEntityAsync(partitionKey, key, ETag.All, cancellationToken);
            }
        }

        _rowKeys.Clear();
    }
}
