using Gateway.Core.Channels;

namespace Gateway.Tests.Unit;

public sealed class ChannelNameTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("demo")]
    [InlineData("Orders-2024_v1.eu:west")]
    [InlineData("0")]
    [InlineData("...")]
    [InlineData(":-_.")]
    public void Accepts_letters_digits_and_the_four_punctuation_marks(string name)
    {
        Assert.True(ChannelName.TryValidate(name, out var error), error);
        Assert.True(ChannelName.IsValid(name));
    }

    [Fact]
    public void Accepts_exactly_128_characters()
    {
        Assert.True(ChannelName.IsValid(new string('x', ChannelName.MaxLength)));
    }

    [Theory]
    [InlineData("a/b", "'/'")]
    [InlineData("a#b", "'#'")]
    [InlineData("a?b", "'?'")]
    [InlineData("a\\b", "'\\'")]
    [InlineData("a b", "U+0020")]
    [InlineData("a\u0000b", "U+0000")]
    [InlineData("a\u0001b", "U+0001")]
    [InlineData("a\nb", "U+000A")]
    [InlineData("a\rb", "U+000D")]
    [InlineData("a\tb", "U+0009")]
    [InlineData("a\u007fb", "U+007F")]
    [InlineData("caf\u00e9", "U+00E9")]
    [InlineData("\u043a\u0430\u043d\u0430\u043b", "U+043A")]
    [InlineData("a\ud83d\ude00", "U+D83D")]
    [InlineData("a%2Fb", "'%'")]
    [InlineData("a+b", "'+'")]
    public void Rejects_other_characters_and_names_the_first_offender(string name, string named)
    {
        Assert.False(ChannelName.TryValidate(name, out var error));
        Assert.Contains(named, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_129_characters_and_says_the_limit()
    {
        Assert.False(ChannelName.TryValidate(new string('x', 129), out var error));
        Assert.Contains("129", error, StringComparison.Ordinal);
        Assert.Contains("128", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Rejects_a_missing_name(string? name)
    {
        Assert.False(ChannelName.TryValidate(name, out var error));
        Assert.Contains("empty", error, StringComparison.Ordinal);
    }
}
