namespace Gateway.Testing.BadInput;

/// <summary>How a raw request stops: a slow or broken client, for the server's timeouts and body checks.</summary>
public enum RawStall
{
    /// <summary>The whole request is sent.</summary>
    None,

    /// <summary>The headers are sent without the blank line that ends them; then nothing (the header timeout).</summary>
    Headers,

    /// <summary>Less body than declared is sent; then nothing (the minimum body data rate).</summary>
    Body,

    /// <summary>Less body than declared is sent, then the client closes its sending side (a truncated body).</summary>
    HalfClose,
}
