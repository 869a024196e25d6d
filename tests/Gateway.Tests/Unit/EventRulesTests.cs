using System.Text;
using Gateway.Core.Events;
using Gateway.Core.Options;

namespace Gateway.Tests.Unit;

public sealed class EventRulesTests
{
    private readonly EventRules _rules = new(new EventOptions { MaxDataBytes = 16, MaxEventNameLength = 8 });

    [Theory]
    [InlineData(null)]
    [InlineData("update")]
    [InlineData("a b:c\td")]
    [InlineData("\ud83d\ude00\ud83d\ude00\ud83d\ude00\ud83d\ude00")]
    public void Accepts_event_names_an_sse_event_field_can_carry(string? name)
    {
        Assert.True(_rules.TryValidateEventName(name, out var error), error);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("123456789", "at most 8")]
    [InlineData("a\rb", "CR, LF or NUL")]
    [InlineData("a\nb", "CR, LF or NUL")]
    [InlineData("a\r\n", "CR, LF or NUL")]
    [InlineData("a\0b", "CR, LF or NUL")]
    public void Rejects_event_names_that_would_break_the_frame(string name, string reasonMentions)
    {
        Assert.False(_rules.TryValidateEventName(name, out var error));
        Assert.Contains(reasonMentions, error, StringComparison.Ordinal);
    }

    // Not theory data: xunit's serialisation of test cases replaces lone surrogates with U+FFFD.
    [Fact]
    public void Rejects_event_names_with_lone_surrogates()
    {
        string[] names = ["a\ud800b", "a\udc00", "\ud83d", "\ude00\ud83d"];
        Assert.All(names, name =>
        {
            Assert.False(_rules.TryValidateEventName(name, out var error));
            Assert.Contains("well-formed", error, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("line1\r\nline2\0")]
    [InlineData("\ud83d\ude00\ud83d\ude00\ud83d\ude00\ud83d\ude00")]
    public void Accepts_utf8_data_up_to_the_limit(string text)
    {
        Assert.True(_rules.TryValidateData(Encoding.UTF8.GetBytes(text), out var error), error);
    }

    [Fact]
    public void Rejects_data_over_the_limit_and_says_both_sizes()
    {
        Assert.False(_rules.TryValidateData(new byte[17], out var error));
        Assert.Contains("17", error, StringComparison.Ordinal);
        Assert.Contains("16", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98 })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    public void Rejects_invalid_utf8(byte[] data)
    {
        Assert.False(_rules.TryValidateData(data, out var error));
        Assert.Contains("UTF-8", error, StringComparison.Ordinal);
    }
}
