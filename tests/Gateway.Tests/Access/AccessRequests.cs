using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gateway.Testing.Hosting;
using Gateway.Testing.Http;

namespace Gateway.Tests.Access;

/// <summary>Requests with a token, for hosts that have access control on.</summary>
public static class AccessRequests
{
    /// <summary>Publishes with a bearer token and expects 201 Created (the event is in the log).</summary>
    public static async Task PublishAsync(GatewayTestHost host, string channel, string data, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, GatewayHttp.PublishPath(channel))
        {
            Content = new StringContent(data, Encoding.UTF8, "text/plain"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
