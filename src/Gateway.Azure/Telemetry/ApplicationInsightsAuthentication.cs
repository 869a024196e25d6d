using Azure.Core;
using Azure.Identity;

namespace Gateway.Azure.Telemetry;

/// <summary>
/// Reads <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> — the setting the Functions host and the Application Insights
/// SDKs share — so the exporter sends telemetry with Microsoft Entra ID instead of relying on the instrumentation key
/// alone (the template disables local authentication on the Application Insights resource).
/// </summary>
public static class ApplicationInsightsAuthentication
{
    public const string SettingName = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>
    /// <c>Authorization=AAD;ClientId=...</c> → that user-assigned managed identity; <c>Authorization=AAD</c> → the
    /// system-assigned one; empty → <see langword="null"/> (the connection string's key is used).
    /// </summary>
    public static TokenCredential? CredentialFrom(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString))
        {
            return null;
        }

        var parts = authenticationString
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2, StringSplitOptions.TrimEntries))
            .ToDictionary(kv => kv[0], kv => kv.Length == 2 ? kv[1] : string.Empty, StringComparer.OrdinalIgnoreCase);

        if (!parts.TryGetValue("Authorization", out var authorization) || !authorization.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"{SettingName} must be 'Authorization=AAD' or 'Authorization=AAD;ClientId=<client id of a user-assigned identity>' (is '{authenticationString}').");
        }

        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
