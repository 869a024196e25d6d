using System.Text.Json;

namespace Gateway.LoadTool.Peers;

/// <summary>
/// A line a receiving worker writes to its stdout for the coordinator: <c>ready</c> (its streams are open),
/// <c>warm</c> (all have the last warm-up event), <c>done</c> (all have the last event), <c>result</c> (after
/// <c>stop</c> on its stdin).
/// </summary>
internal sealed record WorkerMessage(string Type, int Opened = 0, int Failed = 0, string? FirstError = null, ReceiverResult? Result = null)
{
    public const string Ready = "ready";
    public const string Warm = "warm";
    public const string Done = "done";
    public const string ResultType = "result";
    public const string Stop = "stop";

    private const string Prefix = "peer-worker ";

    public string ToLine() => Prefix + JsonSerializer.Serialize(this);

    public static WorkerMessage? TryParse(string line) =>
        line.StartsWith(Prefix, StringComparison.Ordinal) ? JsonSerializer.Deserialize<WorkerMessage>(line[Prefix.Length..]) : null;
}
