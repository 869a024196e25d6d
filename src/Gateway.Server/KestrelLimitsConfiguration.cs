using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Server;

/// <summary>
/// Binds Kestrel's request limits from the <c>Kestrel:Limits</c> section (Kestrel itself reads only endpoints and
/// certificates from configuration), so a container can tighten them without code, and tests can make the header
/// timeout and the minimum body data rate short. <c>MinRequestBodyDataRate</c> takes <c>BytesPerSecond</c> and
/// <c>GracePeriod</c>.
/// </summary>
public static class KestrelLimitsConfiguration
{
    public const string SectionName = "Kestrel:Limits";

    public static IWebHostBuilder ConfigureKestrelLimits(this IWebHostBuilder builder, IConfiguration configuration) =>
        builder.ConfigureKestrel(kestrel =>
        {
            var section = configuration.GetSection(SectionName);
            var limits = kestrel.Limits;
            limits.MaxRequestHeadersTotalSize = Int(section, nameof(limits.MaxRequestHeadersTotalSize)) ?? limits.MaxRequestHeadersTotalSize;
            limits.MaxRequestHeaderCount = Int(section, nameof(limits.MaxRequestHeaderCount)) ?? limits.MaxRequestHeaderCount;
            limits.MaxRequestLineSize = Int(section, nameof(limits.MaxRequestLineSize)) ?? limits.MaxRequestLineSize;
            limits.RequestHeadersTimeout = Span(section, nameof(limits.RequestHeadersTimeout)) ?? limits.RequestHeadersTimeout;
            limits.KeepAliveTimeout = Span(section, nameof(limits.KeepAliveTimeout)) ?? limits.KeepAliveTimeout;
            var rate = section.GetSection(nameof(limits.MinRequestBodyDataRate));
            if (rate.Exists())
            {
                var current = limits.MinRequestBodyDataRate;
                limits.MinRequestBodyDataRate = new MinDataRate(
                    double.Parse(rate["BytesPerSecond"] ?? (current?.BytesPerSecond ?? 240).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                    Span(rate, "GracePeriod") ?? current?.GracePeriod ?? TimeSpan.FromSeconds(5));
            }
        });

    private static int? Int(IConfiguration section, string key) =>
        section[key] is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : null;

    private static TimeSpan? Span(IConfiguration section, string key) =>
        section[key] is { } value ? TimeSpan.Parse(value, CultureInfo.InvariantCulture) : null;
}
