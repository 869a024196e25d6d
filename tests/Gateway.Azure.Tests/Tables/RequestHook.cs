using Azure.Core;
using Azure.Core.Pipeline;

namespace Gateway.Azure.Tests.Tables;

/// <summary>
/// A pipeline policy that runs <paramref name="before"/> once, just before the first request that matches
/// <paramref name="matches"/> is sent: the way to put another writer's work at an exact point of a log operation.
/// </summary>
internal sealed class RequestHook(Func<Request, bool> matches, Func<Task> before) : HttpPipelinePolicy
{
    private int _fired;

    public bool Fired => Volatile.Read(ref _fired) == 1;

    /// <summary>A DELETE or GET of one row, e.g. <c>("DELETE", "!head")</c>.</summary>
    public static Func<Request, bool> Row(string method, string rowKey) =>
        request => request.Method.ToString() == method && Uri.UnescapeDataString(request.Uri.ToString()).Contains($"RowKey='{rowKey}'", StringComparison.Ordinal);

    /// <summary>A query over one channel's partition (retention's visit of a channel), not over the index.</summary>
    public static bool ChannelQuery(Request request)
    {
        var uri = Uri.UnescapeDataString(request.Uri.ToString());
        return request.Method.ToString() == "GET" && uri.Contains("$filter=PartitionKey eq '", StringComparison.Ordinal)
            && !uri.Contains("PartitionKey eq '!", StringComparison.Ordinal);
    }

    /// <summary>An entity-group transaction (an append).</summary>
    public static bool Batch(Request request) => request.Uri.ToString().Contains("$batch", StringComparison.Ordinal);

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (matches(message.Request) && Interlocked.Exchange(ref _fired, 1) == 0)
        {
            await before();
        }

        await ProcessNextAsync(message, pipeline);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("The log is asynchronous.");
}
