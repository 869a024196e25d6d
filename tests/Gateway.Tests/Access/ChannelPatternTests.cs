using Gateway.Core.Access;

namespace Gateway.Tests.Access;

/// <summary>The pattern rule the README states: '*' is any run of characters (dots included), {sub} the subject.</summary>
public sealed class ChannelPatternTests
{
    [Theory]
    [InlineData("orders", "orders", true)]
    [InlineData("orders", "Orders", false)]
    [InlineData("orders", "orders.eu", false)]
    [InlineData("orders.*", "orders.eu", true)]
    [InlineData("orders.*", "orders.eu.1", true)]
    [InlineData("orders.*", "orders.", true)]
    [InlineData("orders.*", "orders", false)]
    [InlineData("*", "a", true)]
    [InlineData("*", "a.b:c-d_e", true)]
    [InlineData("*.audit", "x.audit", true)]
    [InlineData("*.audit", "x.audit.y", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("**", "anything", true)]
    public void Wildcards_match_any_run_of_characters(string pattern, string channel, bool expected) =>
        Assert.Equal(expected, ChannelPattern.Matches(pattern, channel, subject: null));

    [Theory]
    [InlineData("user.{sub}", "alice", "user.alice", true)]
    [InlineData("user.{sub}", "alice", "user.bob", false)]
    [InlineData("user.{sub}.*", "alice", "user.alice.inbox", true)]
    [InlineData("user.{sub}", null, "user.", false)]
    [InlineData("user.{sub}", "", "user.", false)]
    [InlineData("user.{sub}", "*", "user.bob", false)]
    [InlineData("user.{sub}", "*", "user.*", false)]
    [InlineData("user.{sub}", "a/b", "user.a/b", false)]
    [InlineData("user.{sub}", "ali ce", "user.ali ce", false)]
    [InlineData("user.{sub}", "bob@example.com", "user.bob@example.com", false)]
    public void Sub_stands_for_the_subject_and_a_subject_that_is_no_channel_name_matches_nothing(string pattern, string? subject, string channel, bool expected) =>
        Assert.Equal(expected, ChannelPattern.Matches(pattern, channel, subject));

    [Theory]
    [InlineData("")]
    [InlineData("orders/eu")]
    [InlineData("orders.{user}")]
    [InlineData("orders?")]
    public void Patterns_with_other_characters_are_invalid_and_match_nothing(string pattern)
    {
        Assert.False(ChannelPattern.TryValidate(pattern, out var error));
        Assert.NotNull(error);
        Assert.False(ChannelPattern.Matches(pattern, "orders", "alice"));
    }

    [Fact]
    public void Grants_are_read_from_repeated_claims_and_space_separated_strings()
    {
        var principal = TestTokens.Principal(("sub", "alice"), ("roles", "orders.* news"), ("roles", "user.{sub}"));
        Assert.True(ChannelGrants.Allows(principal, "roles", "orders.1"));
        Assert.True(ChannelGrants.Allows(principal, "roles", "news"));
        Assert.True(ChannelGrants.Allows(principal, "roles", "user.alice"));
        Assert.False(ChannelGrants.Allows(principal, "roles", "user.bob"));
        Assert.False(ChannelGrants.Allows(principal, "subscribe", "news"));
    }
}
