using Microsoft.Extensions.Configuration;

namespace Gateway.Azure.Tables;

/// <summary>
/// Adapts the <c>EventLogStorage</c> section to what <c>Microsoft.Extensions.Azure</c> reads. That library matches
/// configuration keys to the client's constructor parameters: a plain value is the connection string, and an
/// identity-based connection needs <c>endpoint</c> (with <c>credential</c>, <c>clientId</c> read for the
/// credential). The Functions convention names the endpoint <c>tableServiceUri</c>, so it is copied to <c>endpoint</c>.
/// </summary>
internal static class EventLogStorageConfiguration
{
    public const string TableServiceUriKey = "tableServiceUri";
    public const string EndpointKey = "endpoint";

    /// <summary>True when the section names a store: a connection string, or an endpoint under either name.</summary>
    public static bool IsConfigured(IConfigurationSection section) =>
        !string.IsNullOrWhiteSpace(section.Value)
        || !string.IsNullOrWhiteSpace(section[TableServiceUriKey])
        || !string.IsNullOrWhiteSpace(section[EndpointKey]);

    public static IConfiguration ForClientFactory(IConfigurationSection section)
    {
        if (section.Value is not null || section[EndpointKey] is not null || section[TableServiceUriKey] is not { } uri)
        {
            return section;
        }

        var values = section.AsEnumerable(makePathsRelative: true)
            .Where(pair => pair.Value is not null)
            .Append(new KeyValuePair<string, string?>(EndpointKey, uri));
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}
