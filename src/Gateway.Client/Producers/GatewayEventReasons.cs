namespace Gateway.Client.Producers;

/// <summary>The reasons the gateway dead-letters a message with, and that <see cref="InvalidGatewayEventException.Reason"/> carries.</summary>
public static class GatewayEventReasons
{
    /// <summary>The <c>channel</c> property is missing, not a string, or not a valid channel name.</summary>
    public const string InvalidChannel = "InvalidChannel";

    /// <summary>The event name (<c>Subject</c>) is empty, too long, has CR/LF/NUL, is not well-formed Unicode or is reserved.</summary>
    public const string InvalidEventName = "InvalidEventName";

    /// <summary>The data is larger than the limit or not UTF-8.</summary>
    public const string InvalidData = "InvalidData";
}
