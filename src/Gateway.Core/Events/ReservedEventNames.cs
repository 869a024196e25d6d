using Gateway.Client.Rules;

namespace Gateway.Core.Events;

/// <summary>
/// Event names the gateway sends itself. A publisher may not use them: a forged <c>reset</c> would make clients
/// throw away state they built from real events.
/// </summary>
public static class ReservedEventNames
{
    /// <summary>Compared ordinally, as browsers dispatch event names (<c>Reset</c> is a different event).</summary>
    public static IReadOnlySet<string> All => EventContentRules.ReservedEventNames;

    public static bool Contains(string eventName) => All.Contains(eventName);
}
