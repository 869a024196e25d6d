namespace Gateway.Testing.BadInput;

/// <summary>A generated part of a corpus case: <c>Value</c> (and <c>Name</c>) with <c>{i}</c> replaced by 0, 1, …, <c>Count</c> times.</summary>
public sealed record Repeat(string Value, int Count, string Name = "");
