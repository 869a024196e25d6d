using System.Net;
using System.Net.Http.Headers;
using Gateway.Testing;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;
using Gateway.Testing.Sse;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Http;

/// <summary>
/// A stream is never compressed: a compressor holds bytes back until its block fills, which turns a live stream into a
/// buffered one. Both streams say <c>Content-Encoding: identity</c> to a client that offers gzip and br, and do so even
/// on a host that added ASP.NET Core's response compression with <c>text/event-stream</c> in its list.
/// </summary>
public sealed class StreamCompressionTests
{
    [Fact]
    public async Task A_client_offering_gzip_and_br_gets_both_streams_uncompressed()
    {
        await using var host = await GatewayTestHost.StartAsync();

        foreach (var path in new[] { GatewayHttp.StreamPath("plain"), GatewayHttp.MultiStreamPath(["plain", "other"]) })
        {
            await AssertIdentityStreamAsync(host, path);
        }
    }

    [Fact]
    public async Task Response_compression_added_to_the_server_host_leaves_streams_alone_and_still_compresses_json()
    {
        await using var host = await GatewayTestHost.StartAsync(new GatewayTestHostOptions
        {
            // The worst case: a host that asks for every text/event-stream response to be compressed.
            Configure = builder => builder.Services.AddResponseCompression(o =>
            {
                o.EnableForHttps = true;
                o.MimeTypes = [.. ResponseCompressionDefaults.MimeTypes, "text/event-stream"];
            }),
            ConfigureApp = app => app.UseResponseCompression(),
        });

        await AssertIdentityStreamAsync(host, GatewayHttp.StreamPath("compressed-host"));

        // The middleware is really there: the health report (JSON) comes back gzip-encoded.
        using var health = new HttpRequestMessage(HttpMethod.Get, GatewayHttp.HealthPath);
        health.Headers.AcceptEncoding.ParseAdd("gzip, br");
        using var healthResponse = await host.Client.SendAsync(health);
        Assert.Equal(HttpStatusCode.OK, healthResponse.StatusCode);
        Assert.Contains(healthResponse.Content.Headers.ContentEncoding, e => e is "gzip" or "br");
    }

    /// <summary>The stream's headers say identity, and its opening arrives as plain text (not a compressed block).</summary>
    private static async Task AssertIdentityStreamAsync(GatewayTestHost host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.AcceptEncoding.ParseAdd("gzip, br");

        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["identity"], response.Content.Headers.ContentEncoding);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var stream = await SseStream.FromResponseAsync(response);
        await stream.ReadFramesUntilAsync(f => f.IsComment);
        Assert.StartsWith("retry: ", stream.RawText, StringComparison.Ordinal);
    }
}
