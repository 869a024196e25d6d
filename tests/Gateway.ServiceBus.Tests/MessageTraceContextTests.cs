using System.Diagnostics;
using Gateway.Azure.ServiceBus;

namespace Gateway.ServiceBus.Tests;

/// <summary>The trace context on a Service Bus message, in the properties the Azure SDK writes and reads.</summary>
public sealed class MessageTraceContextTests
{
    private static readonly ActivityContext Context = new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, "vendor=1");

    [Fact]
    public void A_written_context_reads_back_from_traceparent_and_Diagnostic_Id()
    {
        var properties = new Dictionary<string, object>();
        MessageTraceContext.Write(properties, Context);

        Assert.Equal(properties["traceparent"], properties["Diagnostic-Id"]);
        Assert.Equal($"00-{Context.TraceId}-{Context.SpanId}-01", properties["traceparent"]);
        var read = MessageTraceContext.Read(properties);
        Assert.Equal((Context.TraceId, Context.SpanId, Context.TraceFlags, "vendor=1", true), (read.TraceId, read.SpanId, read.TraceFlags, read.TraceState, read.IsRemote));
    }

    [Fact]
    public void Diagnostic_Id_alone_is_read_as_the_SDK_reads_it_without_its_activity_source_switch()
    {
        var properties = new Dictionary<string, object> { ["Diagnostic-Id"] = $"00-{Context.TraceId}-{Context.SpanId}-00" };

        var read = MessageTraceContext.Read(properties);

        Assert.Equal((Context.TraceId, Context.SpanId, ActivityTraceFlags.None), (read.TraceId, read.SpanId, read.TraceFlags));
    }

    [Theory]
    [InlineData("|4bf92f3577b34da6.1.")] // the old hierarchical id: no W3C context to continue
    [InlineData("00-00000000000000000000000000000000-0000000000000000-01")] // all-zero ids are invalid
    [InlineData("not a trace id")]
    public void Anything_but_a_W3C_context_reads_as_none(string id)
    {
        Assert.Equal(default, MessageTraceContext.Read(new Dictionary<string, object> { ["traceparent"] = id, ["Diagnostic-Id"] = id }));
        Assert.Equal(default, MessageTraceContext.Read(new Dictionary<string, object> { ["traceparent"] = 42 }));
        Assert.Equal(default, MessageTraceContext.Read(new Dictionary<string, object>()));
    }
}
