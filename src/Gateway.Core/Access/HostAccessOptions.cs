namespace Gateway.Core.Access;

/// <summary>What the host itself already enforces, set in code by the host (not configuration).</summary>
public sealed class HostAccessOptions
{
    /// <summary>
    /// True on the Functions app: <c>Publish</c> has authorisation level Function, so the platform refuses a request
    /// without a function key before the worker sees it. A request without a token is then a key holder's and is
    /// accepted; one with a token must be granted by it.
    /// </summary>
    public bool PublishGatedByPlatformKey { get; set; }
}
