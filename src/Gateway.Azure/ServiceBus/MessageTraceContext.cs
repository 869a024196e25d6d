using System.Diagnostics;

namespace Gateway.Azure.ServiceBus;

/// <summary>
/// The trace context a Service Bus message carries in its application properties, as the Azure SDK writes and reads
/// it: W3C <c>traceparent</c> (with <c>tracestate</c>) and the older <c>Diagnostic-Id</c> with the same value.
/// </summary>
public static class MessageTraceContext
{
    public const string TraceParentProperty = "traceparent";
    public const string TraceStateProperty = "tracestate";
    public const string DiagnosticIdProperty = "Diagnostic-Id";

    /// <summary>The message's context, or default when it carries none (or one that is not W3C, e.g. a hierarchical id).</summary>
    public static ActivityContext Read(IReadOnlyDictionary<string, object> properties)
    {
        var state = properties.TryGetValue(TraceStateProperty, out var s) ? s as string : null;
        foreach (var name in (ReadOnlySpan<string>)[TraceParentProperty, DiagnosticIdProperty])
        {
            if (properties.TryGetValue(name, out var value) && value is string id && ActivityContext.TryParse(id, state, isRemote: true, out var context))
            {
                return context;
            }
        }

        return default;
    }

    /// <summary>
    /// Stamps <paramref name="context"/> on an outgoing message. The SDK keeps a context it finds there instead of
    /// making its own message span, so the receiver continues exactly this span.
    /// </summary>
    public static void Write(IDictionary<string, object> properties, ActivityContext context)
    {
        var id = W3CId(context);
        properties[TraceParentProperty] = id;
        properties[DiagnosticIdProperty] = id;
        if (!string.IsNullOrEmpty(context.TraceState))
        {
            properties[TraceStateProperty] = context.TraceState;
        }
    }

    private static string W3CId(ActivityContext context) =>
        $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}";
}
