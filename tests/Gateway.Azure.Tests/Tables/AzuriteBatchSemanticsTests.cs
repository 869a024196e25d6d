using Azure;
using Azure.Data.Tables;
using Gateway.Azure.Tests.Azurite;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;

namespace Gateway.Azure.Tests.Tables;

/// <summary>
/// The storage behaviour retention's channel removal relies on, proved on Azurite: an update (not an upsert) of a
/// row inside an entity-group transaction fails with 404 when the row is gone, and a single-entity delete honours
/// If-Match.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteBatchSemanticsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task An_update_of_a_missing_row_fails_the_whole_transaction_with_404()
    {
        var table = new TableClient(azurite.Azurite.ConnectionString, TableLogSettings.NewTableName());
        await table.CreateAsync();

        var ex = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "e:1")),
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("p", "!head") { ["Offset"] = 1L }, ETag.All),
        ]));

        Assert.Equal(404, ex.Status);
        Assert.Equal(1, ex.FailedTransactionActionIndex);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "e:1")).HasValue);
    }

    [Fact]
    public async Task A_single_delete_with_an_outdated_etag_fails_with_412()
    {
        var table = new TableClient(azurite.Azurite.ConnectionString, TableLogSettings.NewTableName());
        await table.CreateAsync();
        var first = await table.UpsertEntityAsync(new TableEntity("p", "!head") { ["Offset"] = 1L }, TableUpdateMode.Replace);
        await table.UpsertEntityAsync(new TableEntity("p", "!head") { ["Offset"] = 2L }, TableUpdateMode.Replace);

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => table.DeleteEntityAsync("p", "!head", first.Headers.ETag!.Value));

        Assert.Equal(412, ex.Status);
        Assert.True((await table.GetEntityIfExistsAsync<TableEntity>("p", "!head")).HasValue);
    }
}
