using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace Gateway.Tests.Access;

/// <summary>
/// A token never appears in the gateway's logs (request logging at every level included) or traces
/// (<c>url.query</c> included), whichever way it came: header, cookie, query — valid, refused or expired.
/// </summary>
public sealed class TokenRedactionTests
{
    [Fact]
    public async Task Tokens_are_in_no_log_entry_and_no_span()
    {
        var logs = new CapturingLoggerProvider();
        var spans = new List<Activity>();
        await using var host = await GatewayTestHost.StartAsync(
            builder =>
            {
                builder.Logging.AddProvider(logs);
                builder.Logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace);
                builder.Services.AddOpenTelemetry().WithTracing(t => t.AddAspNetCoreInstrumentation().AddInMemoryExporter(spans));
            },
            TestTokens.Settings(("Gateway:Auth:QueryToken", "true")));

        var header = TestTokens.Mint(subject: "by-header", subscribe: ["orders"]);
        var cookie = TestTokens.Mint(subject: "by-cookie", subscribe: ["orders"]);
        var query = TestTokens.Mint(subject: "by-query", subscribe: ["orders"]);
        var refused = TestTokens.Mint(subject: "refused", subscribe: ["other"]);
        var expired = TestTokens.Mint(subject: "expired", subscribe: ["orders"], notBefore: DateTimeOffset.UtcNow.AddHours(-2), expires: DateTimeOffset.UtcNow.AddHours(-1));
        var forged = TestTokens.Mint(subject: "forged", subscribe: ["orders"], key: TestTokens.OtherKey);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, "?x=1", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", header)));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, "", r => r.Headers.Add("Cookie", $"gateway_token={cookie}")));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, $"?x=1&access_token={query}", _ => { }));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(host, $"?access_token={refused}", _ => { }));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(host, $"?access_token={expired}&x=2", _ => { }));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(host, "", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", forged)));

        await Waits.UntilAsync(() => CountRequestSpans(spans) >= 6, Waits.Item, "a span for every request");
        await host.StopAsync();

        var spanText = Describe(spans);
        Assert.Contains("url.query", spanText, StringComparison.Ordinal); // the query was recorded, without the token
        Assert.Contains("Request starting", string.Join('\n', logs.Entries), StringComparison.Ordinal); // request logging was on
        foreach (var token in new[] { header, cookie, query, refused, expired, forged })
        {
            // The signature is the secret part; the payload alone (base64 of the claims) is checked too.
            foreach (var part in new[] { token, token.Split('.')[1], token.Split('.')[2] })
            {
                Assert.DoesNotContain(part, spanText, StringComparison.Ordinal);
                Assert.DoesNotContain(logs.Entries, e => e.Contains(part, StringComparison.Ordinal));
            }
        }
    }

    private static async Task<HttpStatusCode> StatusAsync(GatewayTestHost host, string query, Action<HttpRequestMessage> setToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, GatewayHttp.StreamPath("orders") + query);
        setToken(request);
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode;
    }

    private static int CountRequestSpans(List<Activity> spans) => Snapshot(spans).Count(s => s.Kind == ActivityKind.Server);

    private static string Describe(List<Activity> spans) =>
        string.Join('\n', Snapshot(spans).Select(s =>
            $"{s.DisplayName} {string.Join(' ', s.TagObjects.Select(t => $"{t.Key}={t.Value}"))} {string.Join(' ', s.Events.Select(e => e.Name + string.Join(' ', e.Tags.Select(t => $"{t.Key}={t.Value}"))))}"));

    // The in-memory exporter adds from the exporting thread without a lock: enumerate a copy, never the live list
    // (List.ToArray copies the items added so far and does not throw while another thread adds).
    private static Activity[] Snapshot(List<Activity> spans) => spans.ToArray();
}
