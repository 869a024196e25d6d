namespace Gateway.Client.Producers;

/// <summary>
/// An event the gateway would refuse: a bad channel name, event name or data. <see cref="Reason"/> is the reason ingest
/// dead-letters such a message with, and <see cref="Description"/> says what is wrong in the gateway's own words.
/// </summary>
public sealed class InvalidGatewayEventException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="reason"/> (one of <see cref="GatewayEventReasons"/>).</summary>
    public InvalidGatewayEventException(string reason, string description, string? paramName)
        : base(description, paramName)
    {
        Reason = reason;
        Description = description;
    }

    /// <summary><c>InvalidChannel</c>, <c>InvalidEventName</c> or <c>InvalidData</c> (<see cref="GatewayEventReasons"/>).</summary>
    public string Reason { get; }

    /// <summary>What is wrong: the same text the gateway puts in the dead-letter description or the problem's <c>detail</c>.</summary>
    public string Description { get; }
}
