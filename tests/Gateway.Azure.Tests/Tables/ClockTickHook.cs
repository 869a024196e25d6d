using Azure.Core;
using Azure.Core.Pipeline;

namespace Gateway.Azure.Tests.Tables;

/// <summary>Advances the fake clock on every request that <paramref name="matches"/> once enabled: a stand-in for a slow store.</summary>
internal sealed class ClockTickHook(Func<Request, bool> matches, Action tick) : HttpPipelinePolicy
{
    public volatile bool Enabled;

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (Enabled && matches(message.Request))
        {
            tick();
        }

        await ProcessNextAsync(message, pipeline);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("The log is asynchronous.");
}
