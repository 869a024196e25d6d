using Microsoft.Extensions.Options;

namespace Gateway.Core.Options;

internal sealed class StreamOptionsValidator : IValidateOptions<StreamOptions>
{
    public ValidateOptionsResult Validate(string? name, StreamOptions o)
    {
        var errors = new List<string>();
        var s = StreamOptions.SectionName;
        if (o.RetryInterval <= TimeSpan.Zero || o.RetryInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"{s}:RetryInterval must be between 0 and 1 hour (is {o.RetryInterval}).");
        }

        if (o.ReconnectSpread < TimeSpan.Zero || o.ReconnectSpread > TimeSpan.FromHours(1))
        {
            errors.Add($"{s}:ReconnectSpread must be between 0 and 1 hour (is {o.ReconnectSpread}).");
        }

        if (o.HeartbeatInterval < TimeSpan.FromMilliseconds(100) || o.HeartbeatInterval > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{s}:HeartbeatInterval must be between 100 ms and 10 minutes (is {o.HeartbeatInterval}).");
        }

        if (o.MaxDuration < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{s}:MaxDuration must be at least 1 second (is {o.MaxDuration}).");
        }

        if (o.DeadlineJitter < TimeSpan.Zero || o.DeadlineJitter >= o.MaxDuration)
        {
            errors.Add($"{s}:DeadlineJitter must be at least 0 and less than MaxDuration (is {o.DeadlineJitter}, MaxDuration {o.MaxDuration}).");
        }

        if (o.QueueCapacity is < 1 or > 1_000_000)
        {
            errors.Add($"{s}:QueueCapacity must be between 1 and 1,000,000 (is {o.QueueCapacity}).");
        }

        if (o.MaxChannels is < 1 or > 255)
        {
            errors.Add($"{s}:MaxChannels must be between 1 and 255 (is {o.MaxChannels}).");
        }

        if (o.EndGracePeriod < TimeSpan.Zero)
        {
            errors.Add($"{s}:EndGracePeriod must not be negative (is {o.EndGracePeriod}).");
        }

        if (o.HeadCheckInterval != TimeSpan.Zero && (o.HeadCheckInterval < TimeSpan.FromSeconds(1) || o.HeadCheckInterval > TimeSpan.FromHours(1)))
        {
            errors.Add($"{s}:HeadCheckInterval must be 0 (off) or between 1 second and 1 hour (is {o.HeadCheckInterval}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class EventOptionsValidator : IValidateOptions<EventOptions>
{
    // A Table entity holds at most 1 MiB, and a binary property at most 64 KiB; larger events need another store.
    public const int LargestSupportedDataBytes = 64 * 1024;

    public ValidateOptionsResult Validate(string? name, EventOptions o)
    {
        var errors = new List<string>();
        var s = EventOptions.SectionName;
        if (o.MaxDataBytes is < 1 or > LargestSupportedDataBytes)
        {
            errors.Add($"{s}:MaxDataBytes must be between 1 and {LargestSupportedDataBytes} (is {o.MaxDataBytes}).");
        }

        if (o.MaxEventNameLength is < 1 or > 1024)
        {
            errors.Add($"{s}:MaxEventNameLength must be between 1 and 1024 (is {o.MaxEventNameLength}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions o)
    {
        var errors = new List<string>();
        var s = RetentionOptions.SectionName;
        if (o.MaxAge < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{s}:MaxAge must be at least 1 second (is {o.MaxAge}).");
        }

        if (o.MaxEventsPerChannel < 1)
        {
            errors.Add($"{s}:MaxEventsPerChannel must be at least 1 (is {o.MaxEventsPerChannel}).");
        }

        if (o.Interval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{s}:Interval must be at least 1 second (is {o.Interval}).");
        }

        if (o.MaxRunDuration < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{s}:MaxRunDuration must be at least 1 second (is {o.MaxRunDuration}).");
        }

        if (o.MaxChannelsPerRun < 0)
        {
            errors.Add($"{s}:MaxChannelsPerRun must be 0 (no limit) or more (is {o.MaxChannelsPerRun}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class InMemoryOptionsValidator : IValidateOptions<InMemoryOptions>
{
    public ValidateOptionsResult Validate(string? name, InMemoryOptions o)
    {
        var errors = new List<string>();
        var s = InMemoryOptions.SectionName;
        if (o.MaxChannels < 1)
        {
            errors.Add($"{s}:MaxChannels must be at least 1 (is {o.MaxChannels}).");
        }

        if (o.BusCapacity < 1)
        {
            errors.Add($"{s}:BusCapacity must be at least 1 (is {o.BusCapacity}).");
        }

        if (o.MaxBytes < InMemoryOptions.MinMaxBytes)
        {
            errors.Add($"{s}:MaxBytes must be at least {InMemoryOptions.MinMaxBytes} (1 MiB) (is {o.MaxBytes}).");
        }

        if (o.AppendTimeout <= TimeSpan.Zero || o.AppendTimeout > InMemoryOptions.MaxAppendTimeout)
        {
            errors.Add($"{s}:AppendTimeout must be more than 0 and at most {InMemoryOptions.MaxAppendTimeout} (is {o.AppendTimeout}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
