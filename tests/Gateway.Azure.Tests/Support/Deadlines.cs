namespace Gateway.Azure.Tests.Support;

/// <summary>Upper bounds that keep a broken test from hanging; never performance assertions.</summary>
public static class Deadlines
{
    public static readonly TimeSpan Test = TimeSpan.FromSeconds(60);

    public static readonly TimeSpan Item = TimeSpan.FromSeconds(15);

    public static CancellationToken ForTest() => new CancellationTokenSource(Test).Token;
}
