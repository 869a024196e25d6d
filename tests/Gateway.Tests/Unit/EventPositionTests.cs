using Gateway.Core.Events;

namespace Gateway.Tests.Unit;

public sealed class EventPositionTests
{
    [Theory]
    [InlineData("k3f9x2ab-42", "k3f9x2ab", 42L)]
    [InlineData("a-0", "a", 0L)]
    [InlineData("0123456789abcdef-1", "0123456789abcdef", 1L)]
    [InlineData("abc-9223372036854775807", "abc", long.MaxValue)]
    [InlineData("abc-007", "abc", 7L)]
    public void Parses_the_ids_the_gateway_issues(string text, string epoch, long offset)
    {
        Assert.True(EventPosition.TryParse(text, out var position, out var error), error);
        Assert.Equal(new EventPosition(epoch, offset), position);
    }

    [Fact]
    public void Formats_as_epoch_dash_offset_and_parses_back()
    {
        var position = new EventPosition(EventPosition.NewEpoch(), 12345);
        var text = position.ToString();

        Assert.Equal($"{position.Epoch}-12345", text);
        Assert.True(EventPosition.TryParse(text, out var parsed, out _));
        Assert.Equal(position, parsed);
    }

    [Fact]
    public void New_epochs_are_valid_and_differ()
    {
        var epochs = Enumerable.Range(0, 100).Select(_ => EventPosition.NewEpoch()).ToList();

        Assert.All(epochs, e => Assert.True(EventPosition.IsValidEpoch(e), e));
        Assert.All(epochs, e => Assert.Equal(EventPosition.NewEpochLength, e.Length));
        Assert.Equal(epochs.Count, epochs.Distinct().Count());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("42", "form")]
    [InlineData("-42", "form")]
    [InlineData("abc-", "form")]
    [InlineData("abc", "form")]
    [InlineData("ABC-1", "epoch")]
    [InlineData("Abc-1", "epoch")]
    [InlineData("a-b-1", "epoch")]
    [InlineData("abc--1", "epoch")]
    [InlineData("ab c-1", "epoch")]
    [InlineData("0123456789abcdefg-1", "epoch")]
    [InlineData("\u00e9t\u00e9-1", "epoch")]
    [InlineData("abc-1.5", "offset")]
    [InlineData("abc-+1", "offset")]
    [InlineData("abc- 1", "offset")]
    [InlineData("abc-1 ", "offset")]
    [InlineData("abc-0x10", "offset")]
    [InlineData("abc-\u0661", "offset")]
    [InlineData("abc-1\u0000", "offset")]
    [InlineData("abc-1\u0000\u0000", "offset")]
    [InlineData("abc-9223372036854775808", "offset")]
    [InlineData("abc-99999999999999999999", "offset")]
    [InlineData("abc-00000000000000000001", "offset")]
    public void Rejects_malformed_ids_with_a_reason(string text, string reasonMentions)
    {
        Assert.False(EventPosition.TryParse(text, out _, out var error));
        Assert.Contains(reasonMentions, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_null()
    {
        Assert.False(EventPosition.TryParse(null, out _, out var error));
        Assert.Contains("empty", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Keeps_control_characters_and_long_input_out_of_the_error()
    {
        var text = "ab\u0001\ncd-" + new string('9', 200);

        Assert.False(EventPosition.TryParse(text, out _, out var error));
        Assert.DoesNotContain('\u0001', error);
        Assert.DoesNotContain('\n', error);
        Assert.True(error.Length < 300, error);
    }
}
