using Microsoft.Extensions.Configuration;

namespace Gateway.LoadTool;

/// <summary>The tool's settings, from the command line (<c>--Streams 1000 --Events 20</c>; names are case-insensitive).</summary>
public sealed class LoadOptions
{
    public const string Usage = """
        Gateway.LoadTool: opens many idle SSE streams and prints what the server holds.
          --Streams N            idle streams to open (default 1000)
          --Channel NAME         channel the streams subscribe to (default load)
          --Events M             events to publish after the streams are open, for fan-out latency (default 0)
          --PublishIntervalMs T  pause between published events (default 100)
          --Url URL              target a running gateway instead of starting the embedded one as a child process
          --ServerPid PID        with --Url: the server's process id, to read its memory from /proc
          --WorkstationGc true   start the child server with workstation GC instead of its default server GC
          --OpenConcurrency C    streams being opened at once (default 64)
          --HoldSeconds H        keep the streams open this long after measuring, e.g. for dotnet-counters or dotnet-gcdump (default 0)
          --TimeoutSeconds S     the whole run stops after this (default 180)
          --Mode reconnect       instead: open the streams, restart the child server gracefully, and print a histogram
                                 of reconnects per 100 ms as each client honours its final retry:
          --ReconnectSpread T    with --Mode reconnect: the server's Gateway:Stream:ReconnectSpread (00:00:00 = no spread)
          --Restart kill         with --Mode reconnect: SIGKILL the server instead of stopping it gracefully (a crash: no
                                 final retry:, each client waits the retry: its stream opened with)
        """;

    public int Streams { get; set; } = 1000;

    public string Channel { get; set; } = "load";

    public int Events { get; set; }

    public int PublishIntervalMs { get; set; } = 100;

    public Uri? Url { get; set; }

    public int? ServerPid { get; set; }

    public bool WorkstationGc { get; set; }

    public int OpenConcurrency { get; set; } = 64;

    public int HoldSeconds { get; set; }

    public int TimeoutSeconds { get; set; } = 180;

    /// <summary><c>idle</c> (the default: memory and fan-out latency) or <c>reconnect</c> (<see cref="ReconnectStorm"/>).</summary>
    public string Mode { get; set; } = "idle";

    public string? ReconnectSpread { get; set; }

    /// <summary>With <c>--Mode reconnect</c>: <c>graceful</c> (SIGINT, the default) or <c>kill</c> (SIGKILL).</summary>
    public string Restart { get; set; } = "graceful";

    public static LoadOptions Parse(string[] args)
    {
        var options = new ConfigurationBuilder().AddCommandLine(args).Build().Get<LoadOptions>() ?? new LoadOptions();
        var errors = options.Validate().ToList();
        return errors.Count == 0 ? options : throw new ArgumentException(string.Join(Environment.NewLine, errors));
    }

    private IEnumerable<string> Validate()
    {
        if (Streams < 1)
        {
            yield return "--Streams must be at least 1.";
        }

        if (Events < 0 || PublishIntervalMs < 0)
        {
            yield return "--Events and --PublishIntervalMs must not be negative.";
        }

        if (OpenConcurrency < 1 || TimeoutSeconds < 1)
        {
            yield return "--OpenConcurrency and --TimeoutSeconds must be at least 1.";
        }

        if (HoldSeconds < 0 || HoldSeconds >= TimeoutSeconds)
        {
            yield return "--HoldSeconds must be at least 0 and less than --TimeoutSeconds.";
        }

        if (Mode is not ("idle" or "reconnect"))
        {
            yield return "--Mode must be idle or reconnect.";
        }

        if (Mode == "reconnect" && Url is not null)
        {
            yield return "--Mode reconnect restarts its own child server; it does not take --Url.";
        }

        if (Restart is not ("graceful" or "kill"))
        {
            yield return "--Restart must be graceful or kill.";
        }

        if (ReconnectSpread is not null && !TimeSpan.TryParse(ReconnectSpread, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            yield return "--ReconnectSpread must be a time span such as 00:00:05.";
        }

        if (ServerPid is not null && Url is null)
        {
            yield return "--ServerPid goes with --Url (the child server's pid is known).";
        }

        if (WorkstationGc && Url is not null)
        {
            yield return "--WorkstationGc applies only to the child server, not to --Url.";
        }
    }
}
