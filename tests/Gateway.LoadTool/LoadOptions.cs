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
          --ServerGc true        start the child server with server GC (DATAS) instead of its default workstation GC
          --OpenConcurrency C    streams being opened at once (default 64)
          --HoldSeconds H        keep the streams open this long after measuring, e.g. for dotnet-counters or dotnet-gcdump (default 0)
          --TimeoutSeconds S     the whole run stops after this (default 180)
          --Mode reconnect       instead: open the streams, restart the child server gracefully, and print a histogram
                                 of reconnects per 100 ms as each client honours its final retry:
          --ReconnectSpread T    with --Mode reconnect: the server's Gateway:Stream:ReconnectSpread (00:00:00 = no spread)
          --Restart kill         with --Mode reconnect: SIGKILL the server instead of stopping it gracefully (a crash: no
                                 final retry:, each client waits the retry: its stream opened with)
          --Mode peer            instead: drive ANY SSE server (the gateway, Nchan, ...) from two URL templates and print
                                 delivery, latency, server memory/CPU and tool CPU, as a summary and one JSON line:
          --SubscribeUrl T       e.g. http://127.0.0.1:5080/api/channels/{channel}/stream or http://127.0.0.1:8090/sub/{channel}
          --PublishUrl T         e.g. http://127.0.0.1:5080/api/channels/{channel}/events or http://127.0.0.1:8090/pub/{channel}
          --Channels C           channels the streams are spread over (default 10)
          --Rate R               events per second published in all, spread evenly over the channels (default 50)
          --Events M             measured events per channel (default 0 = 200 in peer mode)
          --WarmupEvents W       events per channel before the measured ones, not in the figures (default 20)
          --PayloadBytes B       each event's data, "sequence timestamp xxx..." padded to B bytes (default 100)
          --Workers P            receiving processes (default: one per 5,000 streams)
          --Client raw|http      how streams are read: raw (default; the tool's own HTTP/1.1 client, sockets polled by one
                                 epoll thread per process, Linux only) or http (HttpClient, any OS; costs about twice the CPU)
          --ServerPid PID        the server's pid: peak RSS and CPU of it and its descendants (nginx's workers) from /proc
          --GcProbeDir DIR       a gateway started with DOTNET_STARTUP_HOOKS=<this tool's dll> and GATEWAY_LOAD_PROBE_DIR=DIR:
                                 memory is read after a forced full collection in it
          --DrainSeconds D       after the last publish, how long to wait for every stream's last event (default 30)
          --Label NAME           the peer's name in the output (default peer)
          --JsonOut FILE         also append the JSON line to FILE
        """;

    public int Streams { get; set; } = 1000;

    public string Channel { get; set; } = "load";

    public int Events { get; set; }

    public int PublishIntervalMs { get; set; } = 100;

    public Uri? Url { get; set; }

    public int? ServerPid { get; set; }

    public bool ServerGc { get; set; }

    public int OpenConcurrency { get; set; } = 64;

    public int HoldSeconds { get; set; }

    public int TimeoutSeconds { get; set; } = 180;

    /// <summary><c>idle</c> (the default: memory and fan-out latency) or <c>reconnect</c> (<see cref="ReconnectStorm"/>).</summary>
    public string Mode { get; set; } = "idle";

    public string? ReconnectSpread { get; set; }

    public string? SubscribeUrl { get; set; }

    public string? PublishUrl { get; set; }

    public int Channels { get; set; } = 10;

    public double Rate { get; set; } = 50;

    public int WarmupEvents { get; set; } = 20;

    public int PayloadBytes { get; set; } = 100;

    public int Workers { get; set; }

    /// <summary>With <c>--Mode peer</c>: <c>raw</c> (<see cref="Peers.SseConnection"/>) or <c>http</c> (HttpClient).</summary>
    public string Client { get; set; } = "raw";

    public string? GcProbeDir { get; set; }

    public int DrainSeconds { get; set; } = 30;

    public string Label { get; set; } = "peer";

    public string? JsonOut { get; set; }

    /// <summary>Set by the peer coordinator for its workers: which share of the streams this one opens.</summary>
    public int WorkerIndex { get; set; }

    /// <summary>Set by the peer coordinator for its workers: the channel-name prefix of the run.</summary>
    public string? RunId { get; set; }

    /// <summary>True for <c>--Mode peer</c> and its workers.</summary>
    public bool IsPeer => Mode is "peer" or "peer-worker";

    /// <summary>With <c>--Mode reconnect</c>: <c>graceful</c> (SIGINT, the default) or <c>kill</c> (SIGKILL).</summary>
    public string Restart { get; set; } = "graceful";

    public static LoadOptions Parse(string[] args)
    {
        var options = new ConfigurationBuilder().AddCommandLine(args).Build().Get<LoadOptions>() ?? new LoadOptions();
        if (options.IsPeer && options.Events == 0)
        {
            options.Events = 200;
        }

        var errors = options.Validate().ToList();
        return errors.Count == 0 ? options : throw new ArgumentException(string.Join(Environment.NewLine, errors));
    }

    private IEnumerable<string> ValidatePeer()
    {
        foreach (var (name, template) in new[] { ("--SubscribeUrl", SubscribeUrl), ("--PublishUrl", PublishUrl) })
        {
            if (template is null || !template.Contains("{channel}", StringComparison.Ordinal)
                || !Uri.TryCreate(template.Replace("{channel}", "c", StringComparison.Ordinal), UriKind.Absolute, out _))
            {
                yield return $"{name} must be an absolute URL with {{channel}} in it.";
            }
        }

        if (Client is not ("raw" or "http"))
        {
            yield return "--Client must be raw or http.";
        }

        if (Channels < 1 || Channels > Streams)
        {
            yield return "--Channels must be between 1 and --Streams.";
        }

        if (Rate <= 0 || WarmupEvents < 1 || PayloadBytes < 1 || Workers < 0 || DrainSeconds < 1)
        {
            yield return "--Rate, --WarmupEvents, --PayloadBytes and --DrainSeconds must be positive; --Workers not negative.";
        }

        if (Url is not null || ServerGc)
        {
            yield return "--Mode peer takes --SubscribeUrl and --PublishUrl, not --Url or --ServerGc (start the server yourself).";
        }

        if (GcProbeDir is not null && !Directory.Exists(GcProbeDir))
        {
            yield return "--GcProbeDir must be an existing directory.";
        }
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

        if (Mode is not ("idle" or "reconnect" or "peer" or "peer-worker"))
        {
            yield return "--Mode must be idle, reconnect or peer.";
        }

        if (IsPeer)
        {
            foreach (var error in ValidatePeer())
            {
                yield return error;
            }

            yield break;
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

        if (ServerGc && Url is not null)
        {
            yield return "--ServerGc applies only to the child server, not to --Url.";
        }
    }
}
