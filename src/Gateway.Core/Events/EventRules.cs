using System.Diagnostics.CodeAnalysis;
using Gateway.Client.Rules;
using Gateway.Core.Options;

namespace Gateway.Core.Events;

/// <summary>
/// The rules an event must meet before it may enter a log, shared by the HTTP publish endpoint and every
/// ingest path so that a bad event is refused the same way wherever it comes from. The rules themselves are
/// <c>src/Gateway.Client/Rules/EventContentRules.cs</c>, compiled here and into the client package, so producers check them too.
/// </summary>
public sealed class EventRules(EventOptions options)
{
    public int MaxDataBytes => options.MaxDataBytes;

    public bool TryValidateEventName(string? eventName, [NotNullWhen(false)] out string? error) =>
        EventContentRules.TryValidateEventName(eventName, options.MaxEventNameLength, out error);

    public bool TryValidateData(ReadOnlySpan<byte> data, [NotNullWhen(false)] out string? error) =>
        EventContentRules.TryValidateData(data, options.MaxDataBytes, out error);
}
