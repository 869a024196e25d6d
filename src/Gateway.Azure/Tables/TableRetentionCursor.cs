using Azure.Data.Tables;

namespace Gateway.Azure.Tables;

/// <summary>
/// Where a budget-limited retention run stopped: the last channel it visited, in one row of the table, so the next
/// run continues there on whichever instance it runs (a Functions app may have scaled to zero in between).
/// </summary>
internal sealed class TableRetentionCursor(TableClient table)
{
    private const string AfterProperty = "After";

    /// <summary>The channel to continue after, or null to start at the first channel.</summary>
    public async Task<string?> ReadAsync(CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(TableRowKeys.RetentionPartition, TableRowKeys.CursorRow, [AfterProperty], cancellationToken);
        return row.HasValue ? row.Value!.GetString(AfterProperty) : null;
    }

    /// <summary>Saves <paramref name="after"/>; null (a pass completed) makes the next run start from the first channel.</summary>
    public async Task SaveAsync(string? after, CancellationToken cancellationToken)
    {
        if (after is null)
        {
            await table.DeleteEntityAsync(TableRowKeys.RetentionPartition, TableRowKeys.CursorRow, cancellationToken: cancellationToken);
            return;
        }

        await table.UpsertEntityAsync(
            new TableEntity(TableRowKeys.RetentionPartition, TableRowKeys.CursorRow) { [AfterProperty] = after }, TableUpdateMode.Replace, cancellationToken);
    }
}
