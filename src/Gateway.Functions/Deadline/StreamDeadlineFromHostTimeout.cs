using Gateway.Core.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Functions.Deadline;

/// <summary>
/// Sets <see cref="StreamOptions.MaxDuration"/> from the host's <c>functionTimeout</c> minus
/// <see cref="FunctionsDeadlineOptions.SafetyMargin"/>, capped by <see cref="FunctionsDeadlineOptions.MaxStreamDuration"/>
/// (which is also the length when the timeout is unlimited). The hub takes up to
/// <see cref="StreamOptions.DeadlineJitter"/> off each stream's deadline, so streams never outlive this value.
/// </summary>
public sealed partial class StreamDeadlineFromHostTimeout(
    string appDirectory,
    IConfiguration configuration,
    IOptions<FunctionsDeadlineOptions> deadlineOptions,
    ILogger<StreamDeadlineFromHostTimeout> logger) : IPostConfigureOptions<StreamOptions>
{
    public void PostConfigure(string? name, StreamOptions options)
    {
        var settings = deadlineOptions.Value;
        var timeout = FunctionTimeoutReader.Read(appDirectory, configuration);
        options.MaxDuration = Derive(timeout, settings);
        LogDerived(options.MaxDuration, timeout.Limit?.ToString() ?? "-1 (unlimited)", timeout.Source, settings.SafetyMargin);
    }

    /// <summary>The stream length for a host timeout; throws when the timeout leaves no time after the margin.</summary>
    public static TimeSpan Derive(FunctionTimeout timeout, FunctionsDeadlineOptions settings)
    {
        if (timeout.Limit is not { } limit)
        {
            return settings.MaxStreamDuration;
        }

        var usable = limit - settings.SafetyMargin;
        if (usable < TimeSpan.FromSeconds(1))
        {
            throw new InvalidOperationException(
                $"functionTimeout {limit} from {timeout.Source} leaves no time for a stream after the safety margin " +
                $"{FunctionsDeadlineOptions.SectionName}:SafetyMargin = {settings.SafetyMargin}: raise functionTimeout or lower the margin.");
        }

        return usable < settings.MaxStreamDuration ? usable : settings.MaxStreamDuration;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Streams last up to {MaxDuration}: functionTimeout {Timeout} from {Source}, minus a safety margin of {Margin}")]
    private partial void LogDerived(TimeSpan maxDuration, string timeout, string source, TimeSpan margin);
}
