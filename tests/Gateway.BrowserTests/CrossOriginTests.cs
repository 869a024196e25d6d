using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gateway.BrowserTests.Infrastructure;
using Gateway.Server;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;

namespace Gateway.BrowserTests;

/// <summary>
/// A page on another origin (another port of 127.0.0.1) opens an <c>EventSource</c> with <c>withCredentials</c>
/// to the gateway; its token is an HttpOnly cookie the page's site set. The gateway's CORS decides.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CrossOriginTests(Chromium chromium)
{
    private const string Channel = "user.alice";
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    [Fact]
    public async Task A_configured_origin_streams_with_a_cookie_token()
    {
        await using var site = await PageSite.StartAsync(Mint(subscribe: ["user.{sub}"]));
        await using var gateway = await StartGatewayAsync(("Gateway:Cors:Origins:0", site.Origin));
        await using var browser = await chromium.NewSessionAsync();
        var page = await browser.OpenAsync(site.PageFor(gateway));
        await page.WaitForFunctionAsync("() => window.opens >= 1", null, Polling());

        await PublishAsync(gateway, "hello from the gateway");
        await page.WaitForFunctionAsync("() => window.received.length >= 1", null, Polling());
        Assert.Equal(["hello from the gateway"], await page.EvaluateAsync<string[]>("() => window.received"));
    }

    [Fact]
    public async Task An_origin_that_is_not_configured_is_refused()
    {
        await using var site = await PageSite.StartAsync(Mint(subscribe: ["user.{sub}"]));
        await using var gateway = await StartGatewayAsync();
        await using var browser = await chromium.NewSessionAsync();
        var page = await browser.OpenAsync(site.PageFor(gateway));

        // A CORS failure fails the EventSource for good: error, readyState CLOSED, never open.
        await page.WaitForFunctionAsync("() => window.errors >= 1 && window.source.readyState === 2", null, Polling());
        await PublishAsync(gateway, "not for this page");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.opens"));
        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.received"));
    }

    private static PageWaitForFunctionOptions Polling() => new() { PollingInterval = 50, Timeout = Waits.Milliseconds(Waits.Browser) };

    private static async Task<WebApplication> StartGatewayAsync(params (string Key, string Value)[] settings)
    {
        var args = new List<string>
        {
            "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
            $"--Gateway:Auth:SigningKey={Convert.ToBase64String(Key)}",
        };
        args.AddRange(settings.Select(s => $"--{s.Key}={s.Value}"));
        var app = GatewayServer.Build([.. args]);
        using var timeout = new CancellationTokenSource(Waits.Startup);
        await app.StartAsync(timeout.Token);
        return app;
    }

    private static async Task PublishAsync(WebApplication gateway, string data)
    {
        using var client = new HttpClient { BaseAddress = new Uri(gateway.Urls.Single()), Timeout = Waits.Request };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/channels/{Channel}/events") { Content = new StringContent(data, Encoding.UTF8, "text/plain") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Mint(subject: "publisher", publish: [Channel]));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static string Mint(string subject = "alice", string[]? subscribe = null, string[]? publish = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (subscribe is not null)
        {
            claims["subscribe"] = subscribe;
        }

        if (publish is not null)
        {
            claims["publish"] = publish;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Key), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>The other origin: serves the page and, as a login would, sets the token as an HttpOnly cookie for 127.0.0.1.</summary>
    private sealed class PageSite(WebApplication app) : IAsyncDisposable
    {
        private const string Page = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>cross-origin</title></head><body><script>
            "use strict";
            const gateway = new URLSearchParams(location.search).get("gateway");
            window.received = []; window.opens = 0; window.errors = 0;
            window.source = new EventSource(gateway + "/api/channels/user.alice/stream", { withCredentials: true });
            window.source.onopen = () => window.opens++;
            window.source.onerror = () => window.errors++;
            window.source.onmessage = e => window.received.push(e.data);
            </script></body></html>
            """;

        public string Origin { get; } = new Uri(app.Urls.Single()).GetLeftPart(UriPartial.Authority);

        public static async Task<PageSite> StartAsync(string token)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.MapGet("/page.html", (HttpContext context) =>
            {
                // Cookies are per host, not per port: the gateway on 127.0.0.1 receives it too (same site, other origin).
                context.Response.Cookies.Append("gateway_token", token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, Path = "/" });
                return Results.Content(Page, "text/html; charset=utf-8");
            });
            await app.StartAsync();
            return new PageSite(app);
        }

        public Uri PageFor(WebApplication gateway) =>
            new($"{Origin}/page.html?gateway={Uri.EscapeDataString(new Uri(gateway.Urls.Single()).GetLeftPart(UriPartial.Authority))}");

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
