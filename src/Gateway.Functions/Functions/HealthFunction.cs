using Gateway.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Gateway.Functions.Functions;

/// <summary><c>GET /api/health</c>: liveness and the reachability of the log and the bus.</summary>
public sealed class HealthFunction(GatewayEndpoints endpoints)
{
    [Function("Health")]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request)
    {
        await endpoints.HealthAsync(request.HttpContext);
        return Results.Empty;
    }
}
