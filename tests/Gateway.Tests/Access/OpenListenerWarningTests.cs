using Gateway.Testing;
using Gateway.Testing.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Access;

/// <summary>The server host warns at start when it listens beyond loopback without <c>Gateway:Auth</c>.</summary>
public sealed class OpenListenerWarningTests
{
    [Theory]
    [InlineData("http://0.0.0.0:0", false, true)]
    [InlineData("http://127.0.0.1:0", false, false)]
    [InlineData("http://0.0.0.0:0", true, false)]
    public async Task Warns_only_for_an_open_address_without_auth(string urls, bool auth, bool warns)
    {
        var logs = new CapturingLoggerProvider();
        (string, string)[] settings = [("urls", urls), .. auth ? TestTokens.Settings() : []];
        await using var host = await GatewayTestHost.StartAsync(builder => builder.Logging.AddProvider(logs), settings);

        await Waits.UntilAsync(() => !warns || Warned(logs), Waits.Item, "the open-listener warning");
        Assert.Equal(warns, Warned(logs));
    }

    private static bool Warned(CapturingLoggerProvider logs) =>
        logs.Entries.Any(e => e.StartsWith("Warning Gateway.Server.OpenListenerWarning", StringComparison.Ordinal) && e.Contains("without Gateway:Auth", StringComparison.Ordinal));
}
