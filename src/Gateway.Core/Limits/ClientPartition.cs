using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Gateway.Core.Limits;

/// <summary>Who a request counts against: its client address, or for publishing, the authenticated subject.</summary>
internal static class ClientPartition
{
    /// <summary>
    /// The client's address as the host sees it: the forwarded address when the ForwardedHeaders middleware trusts
    /// the proxy (the server host with <c>Gateway:ForwardedHeaders</c>, the Functions worker for its host).
    /// </summary>
    public static string Address(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address
            ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
            : "unknown";

    /// <summary>The token's <c>sub</c> when the caller is authenticated (one budget wherever it connects from), else the address.</summary>
    public static string Publisher(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && (context.User.FindFirst("sub") ?? context.User.FindFirst(ClaimTypes.NameIdentifier)) is { Value: { Length: > 0 } sub }
            ? "sub:" + sub
            : "ip:" + Address(context);
}
