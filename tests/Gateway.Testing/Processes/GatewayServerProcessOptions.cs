namespace Gateway.Testing.Processes;

/// <summary>How to start a <see cref="GatewayServerProcess"/>.</summary>
public sealed record GatewayServerProcessOptions
{
    /// <summary>Configuration keys and values, passed on the command line.</summary>
    public IEnumerable<(string Key, string Value)> Settings { get; init; } = [];

    /// <summary>Environment variables (keys in the <c>__</c> form), as an app service would set them.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Keep the server's stdin open (e.g. for a startup hook that answers requests there).</summary>
    public bool RedirectInput { get; init; }

    /// <summary>Sees every line the server prints.</summary>
    public Action<string>? OnLine { get; init; }
}
