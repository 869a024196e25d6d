using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Gateway.Azure.Tables;

internal sealed partial class TableLogOptionsValidator : IValidateOptions<TableLogOptions>
{
    public ValidateOptionsResult Validate(string? name, TableLogOptions o)
    {
        var errors = new List<string>();
        var s = TableLogOptions.SectionName;
        if (o.TableName is null || !TableNamePattern().IsMatch(o.TableName))
        {
            errors.Add($"{s}:TableName must be 3–63 ASCII letters or digits, starting with a letter (is '{o.TableName}').");
        }

        if (o.ReadPageSize is < 1 or > 1000)
        {
            errors.Add($"{s}:ReadPageSize must be between 1 and 1000 (is {o.ReadPageSize}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // The Table service's rule for table names.
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableNamePattern();
}
