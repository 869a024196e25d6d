using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Testing.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Limits;

/// <summary><c>GET /api/health</c>: statuses and kinds for everyone, descriptions only for an authenticated caller or when configured.</summary>
public sealed class HealthDetailTests
{
    [Fact]
    public async Task Anonymous_callers_get_statuses_without_descriptions()
    {
        await using var host = await GatewayTestHost.StartAsync();

        using var health = await GetHealthAsync(host.Client);

        Assert.Equal("Healthy", health.RootElement.GetProperty("status").GetString());
        var checks = health.RootElement.GetProperty("checks");
        foreach (var name in new[] { "log", "bus" })
        {
            Assert.Equal("Healthy", checks.GetProperty(name).GetProperty("status").GetString());
            Assert.False(checks.GetProperty(name).TryGetProperty("description", out _), $"The '{name}' check shows its description to an anonymous caller.");

            // Which log and which bus is a fixed word from the code, no configuration: everyone sees it (the demo page shows it).
            Assert.Equal("in-memory", checks.GetProperty(name).GetProperty("kind").GetString());
        }
    }

    [Fact]
    public async Task With_Detailed_every_caller_gets_the_descriptions()
    {
        await using var host = await GatewayTestHost.StartAsync(("Gateway:Health:Detailed", "true"));

        using var health = await GetHealthAsync(host.Client);

        Assert.Equal("in-memory", health.RootElement.GetProperty("checks").GetProperty("log").GetProperty("description").GetString());
    }

    [Fact]
    public async Task An_authenticated_caller_gets_the_descriptions_and_an_anonymous_one_does_not()
    {
        await using var host = await GatewayTestHost.StartAsync(builder => builder.Services
            .AddAuthentication(HeaderAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, null));

        using (var anonymous = await GetHealthAsync(host.Client))
        {
            Assert.False(anonymous.RootElement.GetProperty("checks").GetProperty("log").TryGetProperty("description", out _));
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Add(HeaderAuthentication.Header, "operator");
        using var response = await host.Client.SendAsync(request);
        using var detailed = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("in-memory", detailed.RootElement.GetProperty("checks").GetProperty("bus").GetProperty("description").GetString());
    }

    private static async Task<JsonDocument> GetHealthAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/health");
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Authenticates a request that names a user in a header: a stand-in for the JWT handler.</summary>
    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "TestHeader";
        public const string Header = "X-Test-User";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(Header, out var user))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", user.ToString())], SchemeName));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
        }
    }
}
