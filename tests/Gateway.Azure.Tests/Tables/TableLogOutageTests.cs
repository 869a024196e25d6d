using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Gateway.Azure.Hosting;
using Gateway.Core.Events;
using Gateway.Core.Hosting;
using Gateway.Core.Log;
using Gateway.Testing;
using Gateway.Testing.Azurite;
using Gateway.Testing.Hosting;
using Gateway.Testing.Network;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Gateway.Azure.Tests.Tables;

/// <summary>The Table log when its store goes away: typed, retryable failures, and nothing lost or doubled after retries.</summary>
public sealed class TableLogOutageTests(ITestOutputHelper output)
{
    private const string Channel = "outage";

    [Fact]
    public async Task Azurite_stopped_and_restarted_mid_run_loses_and_doubles_nothing()
    {
        var location = Directory.CreateTempSubdirectory("azurite-outage-");
        try
        {
            await using var azurite = await AzuriteProcess.StartAsync(location.FullName);
            var settings = TableLogSettings.For(azurite.ConnectionString, TableLogSettings.NewTableName());

            // A request that reached Azurite as it shut down hangs until the client gives up on it: give up soon.
            settings["EventLogStorage:Retry:NetworkTimeout"] = "00:00:02";
            var cancel = Waits.ForTest();
            var committedBatches = 0;
            var outages = 0;
            var outageMet = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            // Once ten batches are in, the next transaction a writer is about to send is held there: that append is
            // in flight (its head read, its batch built) when the store goes away.
            var gate = new TransactionGate(() => Volatile.Read(ref committedBatches) >= 10);
            await using var first = Build(settings, gate);
            await using var second = Build(settings, gate);

            async Task WriteAsync(IEventLog log, string writer)
            {
                for (var batch = 0; batch < 30; batch++)
                {
                    var drafts = Enumerable.Range(batch * 10, 10).Select(i => new EventDraft(null, Encoding.UTF8.GetBytes($"{writer}-{i}"), $"{writer}-{i}")).ToList();

                    // What a bus consumer does: the batch is not settled, so the same messages come again until they
                    // commit. No pause is needed between attempts: each failed one has spent the client's retries.
                    while (true)
                    {
                        try
                        {
                            await log.AppendAsync(Channel, drafts, cancel);
                            Interlocked.Increment(ref committedBatches);
                            break;
                        }
                        catch (EventLogUnavailableException)
                        {
                            Interlocked.Increment(ref outages);
                            outageMet.TrySetResult();
                        }
                    }
                }
            }

            var writers = Task.WhenAll(
                Task.Run(() => WriteAsync(first.GetRequiredService<IEventLog>(), "a"), cancel),
                Task.Run(() => WriteAsync(second.GetRequiredService<IEventLog>(), "b"), cancel));

            await gate.Held.WaitAsync(cancel);
            var log = first.GetRequiredService<IEventLog>();
            var headAtOutage = (await log.GetHeadAsync(Channel, cancel)).Offset;
            await azurite.StopAsync(graceful: true);
            gate.Release();

            // The held append (and any other) now meets the stopped store; bring it back only once one has failed.
            await outageMet.Task.WaitAsync(cancel);
            var outagesWhileStopped = Volatile.Read(ref outages);
            await azurite.StartAsync();
            await writers;
            output.WriteLine($"stopped with {headAtOutage} events in the log; {outagesWhileStopped} appends failed while stopped, {outages} in all, each retried");

            var events = new List<ChannelEvent>();
            await foreach (var e in log.ReadAfterAsync(Channel, 0, cancel))
            {
                events.Add(e);
            }

            Assert.InRange(headAtOutage, 100, 599);
            Assert.True(outagesWhileStopped > 0);
            Assert.Equal(Enumerable.Range(1, 600).Select(i => (long)i), events.Select(e => e.Offset));
            var expected = new[] { "a", "b" }.SelectMany(w => Enumerable.Range(0, 300).Select(i => $"{w}-{i}")).Order(StringComparer.Ordinal);
            Assert.Equal(expected, events.Select(e => Encoding.UTF8.GetString(e.Data.Span)).Order(StringComparer.Ordinal));
        }
        finally
        {
            location.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_unreachable_store_raises_the_typed_retryable_error()
    {
        // A loopback port nobody listens on: connections are refused at once.
        var port = FreePort.Next();

        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        var settings = TableLogSettings.For(connection, TableLogSettings.NewTableName());
        settings["EventLogStorage:Retry:MaxRetries"] = "1";
        await using var services = GatewayServices.Build(settings);
        var log = services.GetRequiredService<IEventLog>();
        var cancel = Waits.ForTest();

        await Assert.ThrowsAsync<EventLogUnavailableException>(() => log.AppendAsync(Channel, [new EventDraft(null, "x"u8.ToArray(), "s1")], cancel));
        await Assert.ThrowsAsync<EventLogUnavailableException>(() => log.GetHeadAsync(Channel, cancel));
        await Assert.ThrowsAsync<EventLogUnavailableException>(() => log.ApplyRetentionAsync(cancel));
        await Assert.ThrowsAsync<EventLogUnavailableException>(async () =>
        {
            await foreach (var unused in log.ReadAfterAsync(Channel, 0, cancel))
            {
            }
        });
    }

    /// <summary>The gateway's services as <see cref="GatewayServices.Build"/> makes them, with <paramref name="policy"/> on the Table client.</summary>
    private static GatewayServices Build(Dictionary<string, string?> settings, HttpPipelinePolicy policy) =>
        GatewayServices.Build(
            settings,
            configure: services => services.Configure<TableClientOptions>(
                TableEventLogExtensions.ClientName, o => o.AddPolicy(policy, HttpPipelinePosition.PerCall)));

    /// <summary>
    /// Holds entity-group transactions (<c>POST $batch</c>) about to be sent once <paramref name="holdWhen"/> is true,
    /// until <see cref="Release"/>; after that none is held.
    /// </summary>
    private sealed class TransactionGate(Func<bool> holdWhen) : HttpPipelinePolicy
    {
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when a transaction is first held: an append is in flight.</summary>
        public Task Held => _held.Task;

        public void Release() => _released.TrySetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (ShouldHold(message))
            {
                _held.TrySetResult();
                await _released.Task.WaitAsync(message.CancellationToken);
            }

            await ProcessNextAsync(message, pipeline);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (ShouldHold(message))
            {
                _held.TrySetResult();
                _released.Task.Wait(message.CancellationToken);
            }

            ProcessNext(message, pipeline);
        }

        private bool ShouldHold(HttpMessage message) =>
            !_released.Task.IsCompleted
            && message.Request.Method == RequestMethod.Post
            && message.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal)
            && holdWhen();
    }
}
