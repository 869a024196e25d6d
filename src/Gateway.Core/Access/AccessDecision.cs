namespace Gateway.Core.Access;

/// <summary>The outcome of an access check: allowed (until <see cref="NotAfter"/>, when a token set a limit) or answered.</summary>
public readonly record struct AccessDecision(bool Allowed, DateTimeOffset? NotAfter)
{
    public static AccessDecision Open { get; } = new(true, null);

    /// <summary>Refused; the 401 or 403 problem has been written.</summary>
    public static AccessDecision Refused { get; } = new(false, null);
}
