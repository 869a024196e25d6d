using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Testing.Hosting;
using Gateway.Testing.Sse;

namespace Gateway.Tests.Http;

/// <summary>
/// Every bad request is a 4xx <c>application/problem+json</c> with a clear detail, and the gateway keeps serving:
/// all these tests share one server, and after each one a stream on another channel still receives an event.
/// </summary>
public sealed class BadInputTests(BadInputTests.Server server) : IClassFixture<BadInputTests.Server>, IAsyncLifetime
{
    private readonly GatewayTestHost _host = server.Host;

    public static TheoryData<string, string> MalformedIds => new()
    {
        { "nodash", "form" },
        { "abc-", "form" },
        { "-5", "form" },
        { "ABC-1", "epoch" },
        { "a_b-1", "epoch" },
        { "abc-x1", "offset" },
        { "abc--1", "epoch" },
        { "abc-99999999999999999999", "offset" },
        { "abc-9223372036854775808", "offset" },
    };

    // Percent-encoded where the character would otherwise change the URL (path separator, fragment, query).
    public static TheoryData<string, string> InvalidChannelPaths => new()
    {
        { "a%23b", "'#'" },
        { "a%3Fb", "'?'" },
        { "a%5Cb", "'\\'" },
        { "a%01b", "U+0001" },
        { "a%7Fb", "U+007F" },
        { "a%20b", "U+0020" },
        { "caf%C3%A9", "U+00E9" },
        { "a%2Fb", "'%'" },
        { new string('x', 129), "129 characters" },
        { new string('x', 500), "500 characters" },
    };

    public Task InitializeAsync() => Task.CompletedTask;

    // After each test's bad requests (and those of every test before it), the gateway still delivers.
    public Task DisposeAsync() => server.AssertStillServingAsync();

    [Theory]
    [MemberData(nameof(MalformedIds))]
    public async Task A_malformed_Last_Event_ID_header_is_refused(string id, string detailMentions)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, GatewayTestHost.StreamPath("c"));
        request.Headers.TryAddWithoutValidation("Last-Event-ID", id);

        using var response = await _host.Client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid Last-Event-ID", detailMentions);
    }

    [Theory]
    [InlineData("last_event_id")]
    [InlineData("lastEventId")]
    public async Task A_malformed_id_in_either_query_parameter_is_refused(string parameter)
    {
        using var response = await _host.Client.GetAsync($"{GatewayTestHost.StreamPath("c")}?{parameter}=ABC-1");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid Last-Event-ID", "epoch");
    }

    [Theory]
    [InlineData("a%0Ab")]
    [InlineData("a%0D%0Ab")]
    [InlineData("abc-1%00")]
    public async Task An_id_with_control_characters_in_the_query_is_refused_without_echoing_them(string encoded)
    {
        using var response = await _host.Client.GetAsync($"{GatewayTestHost.StreamPath("c")}?last_event_id={encoded}");

        var detail = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid Last-Event-ID", "event id");
        Assert.DoesNotContain('\n', detail);
        Assert.DoesNotContain('\0', detail);
    }

    [Theory]
    [MemberData(nameof(InvalidChannelPaths))]
    public async Task An_invalid_channel_name_is_refused_on_both_routes(string encodedChannel, string detailMentions)
    {
        using var stream = await _host.Client.GetAsync($"/api/channels/{encodedChannel}/stream");
        await AssertProblemAsync(stream, HttpStatusCode.BadRequest, "Invalid channel name", detailMentions);

        using var publish = await _host.Client.PostAsync($"/api/channels/{encodedChannel}/events", new StringContent("x"));
        await AssertProblemAsync(publish, HttpStatusCode.BadRequest, "Invalid channel name", detailMentions);
    }

    [Fact]
    public async Task A_slash_in_the_channel_reaches_the_catch_all_and_is_refused()
    {
        using var stream = await _host.Client.GetAsync("/api/channels/a/b/stream");
        await AssertProblemAsync(stream, HttpStatusCode.BadRequest, "Invalid channel name", "no '/'");

        using var publish = await _host.Client.PostAsync("/api/channels/a/b/events", new StringContent("x"));
        await AssertProblemAsync(publish, HttpStatusCode.BadRequest, "Invalid channel name", "no '/'");
    }

    [Fact]
    public async Task A_body_over_the_limit_with_a_content_length_is_refused()
    {
        using var content = new ByteArrayContent(new byte[1025]);
        Assert.Equal(1025, content.Headers.ContentLength);

        using var response = await _host.Client.PostAsync("/api/channels/c/events", content);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "Event too large", "1025 bytes");
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_refused()
    {
        // A stream of unknown length is sent chunked, with no Content-Length to check up front.
        using var content = new StreamContent(new UnknownLengthStream(new byte[4000]));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/channels/c/events") { Content = content };

        using var response = await _host.Client.SendAsync(request);

        Assert.True(request.Headers.TransferEncodingChunked);
        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "Event too large", "larger than the 1024 bytes");
    }

    [Fact]
    public async Task A_body_exactly_at_the_limit_is_accepted_and_delivered_whole()
    {
        // 1024 bytes but 513 characters: the limit counts UTF-8 bytes, and a body that meets it exactly is not cut.
        var data = new string('é', 511) + "xx";
        var body = Encoding.UTF8.GetBytes(data);
        Assert.Equal(1024, body.Length);
        await using var stream = await _host.OpenStreamAsync("limit");

        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        using var response = await _host.Client.PostAsync(GatewayTestHost.PublishPath("limit"), content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var delivered = await stream.NextAsync();
        Assert.Equal(data, delivered.Data);
        Assert.Equal(1, SseIds.Offset(delivered));
    }

    [Theory]
    [InlineData("a%0Db")]
    [InlineData("a%0Ab")]
    [InlineData("a%0D%0Aid:%20x")]
    [InlineData("a%00")]
    public async Task An_event_name_with_CR_LF_or_NUL_is_refused(string encodedName)
    {
        using var response = await _host.Client.PostAsync($"/api/channels/c/events?event={encodedName}", new StringContent("x"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid event name", "CR, LF or NUL");
    }

    [Fact]
    public async Task An_empty_event_name_is_refused()
    {
        using var response = await _host.Client.PostAsync("/api/channels/c/events?event=", new StringContent("x"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid event name", "empty");
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { (byte)'o', (byte)'k', 0xFF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    public async Task A_body_that_is_not_utf8_is_refused(byte[] body)
    {
        using var content = new ByteArrayContent(body);

        using var response = await _host.Client.PostAsync("/api/channels/c/events", content);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid event data", "not valid UTF-8");
    }

    [Theory]
    [InlineData("iso-8859-1")]
    [InlineData("utf-16")]
    public async Task A_body_declared_in_another_charset_is_refused(string charset)
    {
        using var content = new ByteArrayContent("hello"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = charset };

        using var response = await _host.Client.PostAsync("/api/channels/c/events", content);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "Unsupported charset", charset);
    }

    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title, string detailMentions)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(title, problem.RootElement.GetProperty("title").GetString());
        var detail = problem.RootElement.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.Contains(detailMentions, detail, StringComparison.Ordinal);
        return detail;
    }

    /// <summary>One gateway for all the bad requests, with a stream on a channel none of them touches.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private SseStream _witness = null!;
        private int _checks;

        public GatewayTestHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Host = await GatewayTestHost.StartAsync(("Gateway:Events:MaxDataBytes", "1024"));
            _witness = await Host.OpenStreamAsync("witness");
        }

        public async Task AssertStillServingAsync()
        {
            var text = $"still serving {++_checks}";
            await Host.PublishAsync("witness", text);
            Assert.Equal(text, (await _witness.NextAsync()).Data);
        }

        public async Task DisposeAsync()
        {
            await _witness.DisposeAsync();
            await Host.DisposeAsync();
        }
    }

    /// <summary>Hides its length so HttpClient sends the body chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
