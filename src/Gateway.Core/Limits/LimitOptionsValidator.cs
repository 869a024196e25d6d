using Microsoft.Extensions.Options;

namespace Gateway.Core.Limits;

internal sealed class LimitOptionsValidator : IValidateOptions<LimitOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitOptions o)
    {
        var errors = new List<string>();
        var s = LimitOptions.SectionName;
        if (o.MaxStreams < 0)
        {
            errors.Add($"{s}:MaxStreams must be 0 (no limit) or more (is {o.MaxStreams}).");
        }

        if (o.MaxStreamsPerClient < 0)
        {
            errors.Add($"{s}:MaxStreamsPerClient must be 0 (no limit) or more (is {o.MaxStreamsPerClient}).");
        }

        if (o.MaxStreams > 0 && o.MaxStreamsPerClient > o.MaxStreams)
        {
            errors.Add($"{s}:MaxStreamsPerClient ({o.MaxStreamsPerClient}) must not exceed MaxStreams ({o.MaxStreams}).");
        }

        if (o.PublishPerSecond < 0)
        {
            errors.Add($"{s}:PublishPerSecond must be 0 (no limit) or more (is {o.PublishPerSecond}).");
        }

        if (o.PublishBurst < 1)
        {
            errors.Add($"{s}:PublishBurst must be at least 1 (is {o.PublishBurst}).");
        }

        if (o.StreamRetryAfter < TimeSpan.FromSeconds(1) || o.StreamRetryAfter > TimeSpan.FromHours(1))
        {
            errors.Add($"{s}:StreamRetryAfter must be between 1 second and 1 hour (is {o.StreamRetryAfter}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
