using Microsoft.Extensions.Options;

namespace Gateway.Functions.Deadline;

internal sealed class FunctionsDeadlineOptionsValidator : IValidateOptions<FunctionsDeadlineOptions>
{
    public ValidateOptionsResult Validate(string? name, FunctionsDeadlineOptions o)
    {
        var errors = new List<string>();
        var s = FunctionsDeadlineOptions.SectionName;
        if (o.SafetyMargin < TimeSpan.Zero || o.SafetyMargin > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{s}:SafetyMargin must be between 0 and 10 minutes (is {o.SafetyMargin}).");
        }

        if (o.MaxStreamDuration < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{s}:MaxStreamDuration must be at least 1 second (is {o.MaxStreamDuration}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
