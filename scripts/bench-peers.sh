#!/usr/bin/env bash
# The gateway against Nchan on this machine, same load generator, same run (issue 13). For each row (streams × events
# per second in all, over BENCH_CHANNELS channels) and each peer, a fresh server is started, the load tool's peer mode
# (tests/Gateway.LoadTool, --Mode peer) warms it up, reads its memory with the streams idle, publishes, and prints one
# JSON line; the server is then stopped by pid. At the end tests/Gateway.BenchPlot writes a Markdown table with the
# gateway/Nchan ratios and a PNG of p99 and memory against streams. Everything goes to artifacts/bench/<UTC stamp>/.
#
#   bash scripts/bench-peers.sh                                   # the full rows of the issue
#   BENCH_ROWS="1000x50" BENCH_SECONDS=10 bash scripts/bench-peers.sh   # a quick run
#   BENCH_GATEWAY_ENV="DOTNET_gcServer=0" bash scripts/bench-peers.sh   # the gateway with other runtime settings
#
# Settings (environment): BENCH_ROWS ("1000x50 5000x50 10000x50 1000x1000"), BENCH_PEERS ("nchan gateway"),
# BENCH_CHANNELS (10), BENCH_PAYLOAD (100 bytes), BENCH_SECONDS (20: measured publishing per row),
# BENCH_WARMUP_SECONDS (20: the JIT settles in it), BENCH_WORKERS (receiving processes; default one per 5,000 streams),
# BENCH_CLIENT (raw: the tool's own HTTP/1.1 client on one epoll thread per receiving process, Linux; http: HttpClient),
# BENCH_GATEWAY_PORT (5080), BENCH_NCHAN_PORT (8090), BENCH_GATEWAY_ENV ("K=V K=V" more for the gateway),
# BENCH_NO_BUILD=1 (reuse artifacts/bench/build). Loopback only; each row stops itself (the tool's --TimeoutSeconds).
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS="${BENCH_ROWS:-1000x50 5000x50 10000x50 1000x1000}"
PEERS="${BENCH_PEERS:-nchan gateway}"
CHANNELS="${BENCH_CHANNELS:-10}"
PAYLOAD="${BENCH_PAYLOAD:-100}"
MEASURE_SECONDS="${BENCH_SECONDS:-20}"
WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-20}"
WORKERS="${BENCH_WORKERS:-0}"
CLIENT="${BENCH_CLIENT:-raw}"
GATEWAY_PORT="${BENCH_GATEWAY_PORT:-5080}"
NCHAN_PORT="${BENCH_NCHAN_PORT:-8090}"
GATEWAY_ENV="${BENCH_GATEWAY_ENV:-}"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="artifacts/bench/$STAMP"
BUILD="artifacts/bench/build"
WORK="$(mktemp -d /tmp/bench-peers.XXXXXX)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
SUMMARY="$OUT/summary.txt"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

# Every process this script starts, stopped by pid on any exit.
STARTED=()
stop_pid() {
  local pid="$1"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  for pid in "${STARTED[@]}"; do stop_pid "$pid"; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Each stream is a socket in the tool and one in the server: raise the open-file limit to the hard limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
MAX_STREAMS=$(for row in $ROWS; do echo "${row%x*}"; done | sort -n | tail -1)
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((MAX_STREAMS + 1024)) ]; then
  echo "The open-file limit is $(ulimit -n) (hard $(ulimit -Hn)); $MAX_STREAMS streams need at least $((MAX_STREAMS + 1024))." >&2
  exit 2
fi
NOFILE="$(ulimit -n)"; [ "$NOFILE" = unlimited ] && NOFILE=65536
read -r PORT_LOW PORT_HIGH < /proc/sys/net/ipv4/ip_local_port_range
if [ $((PORT_HIGH - PORT_LOW)) -lt $((MAX_STREAMS + 1000)) ]; then
  echo "Only $((PORT_HIGH - PORT_LOW)) loopback ephemeral ports ($PORT_LOW-$PORT_HIGH) for $MAX_STREAMS streams." >&2
  exit 2
fi

if [[ " $PEERS " == *" nchan "* ]] && { ! command -v nginx >/dev/null || [ ! -e /usr/share/nginx/modules/ngx_nchan_module.so ]; }; then
  echo "== apt-get install nginx libnginx-mod-nchan"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx libnginx-mod-nchan >/dev/null
fi

if [ "${BENCH_NO_BUILD:-0}" != 1 ] || [ ! -f "$BUILD/tool/Gateway.LoadTool.dll" ]; then
  echo "== dotnet publish (Release): the server host, the load tool, the plot"
  dotnet publish src/Gateway.Server -c Release -o "$BUILD/server" -nologo -clp:ErrorsOnly
  dotnet publish tests/Gateway.LoadTool -c Release -o "$BUILD/tool" -nologo -clp:ErrorsOnly
  dotnet publish tests/Gateway.BenchPlot -c Release -o "$BUILD/plot" -nologo -clp:ErrorsOnly
fi
TOOL_DLL="$(pwd)/$BUILD/tool/Gateway.LoadTool.dll"

wait_http() { # url seconds
  for _ in $(seq 1 $(($2 * 10))); do
    curl -s -o /dev/null -m 1 "$1" && return 0
    sleep 0.1
  done
  echo "Nothing answered at $1 within $2 s." >&2
  return 1
}

# A server already listening on the port would answer in place of the one this script starts (a second bench on the
# machine, a forgotten server): the row would measure it. Refuse instead.
require_free_port() { # port
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "Something already listens on 127.0.0.1:$1; stop it or choose another port (BENCH_GATEWAY_PORT, BENCH_NCHAN_PORT)." >&2
    exit 2
  fi
}

# Nchan: 2 workers on 127.0.0.1, a message buffer so Last-Event-ID resumes, publisher and EventSource locations.
start_nchan() { # dir
  local dir="$1"
  require_free_port "$NCHAN_PORT"
  mkdir -p "$dir/tmp"
  cat > "$dir/nginx.conf" <<EOF
load_module /usr/share/nginx/modules/ngx_nchan_module.so;
worker_processes 2;
worker_rlimit_nofile $NOFILE;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
daemon off;
events { worker_connections $((MAX_STREAMS + 1024)); }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 127.0.0.1:$NCHAN_PORT;
    location ~ ^/pub/([A-Za-z0-9_-]+)$ {
      nchan_publisher;
      nchan_channel_id \$1;
      nchan_message_buffer_length 1000;
      nchan_message_timeout 10m;
    }
    location ~ ^/sub/([A-Za-z0-9_-]+)$ {
      nchan_subscriber eventsource;
      nchan_channel_id \$1;
      nchan_subscriber_first_message newest;
    }
  }
}
EOF
  nginx -c "$dir/nginx.conf" -p "$dir/" > "$dir/stdout.log" 2>&1 < /dev/null &
  SERVER_PID=$!
  STARTED+=("$SERVER_PID")
  wait_http "http://127.0.0.1:$NCHAN_PORT/pub/ready" 10
}

# The gateway's server host, published Release, in-memory log and bus (its defaults). Limits opened for the bench:
# MaxStreams 0 (the default 10,000 per instance would refuse the warm-up's streams at the 10,000 row), streams last an
# hour (the default 5 minutes would end them mid-row), and Warning logs (Nchan runs with access_log off). The load
# tool's startup hook answers its GC probes (a forced full collection before memory is read) through files.
start_gateway() { # dir
  local dir="$1"
  require_free_port "$GATEWAY_PORT"
  mkdir -p "$dir/probe"
  # shellcheck disable=SC2086
  env Gateway__Limits__MaxStreams=0 \
      Gateway__Limits__MaxStreamsPerClient=0 \
      Gateway__Stream__MaxDuration=01:00:00 \
      Logging__LogLevel__Default=Warning \
      ASPNETCORE_ENVIRONMENT=Production \
      DOTNET_STARTUP_HOOKS="$TOOL_DLL" \
      GATEWAY_LOAD_PROBE_DIR="$dir/probe" \
      $GATEWAY_ENV \
      dotnet "$BUILD/server/Gateway.Server.dll" --contentRoot "$(pwd)/$BUILD/server" --urls "http://127.0.0.1:$GATEWAY_PORT" > "$dir/server.log" 2>&1 < /dev/null &
  SERVER_PID=$!
  STARTED+=("$SERVER_PID")
  wait_http "http://127.0.0.1:$GATEWAY_PORT/api/health" 60
}

run_row() { # peer streams rate
  local peer="$1" streams="$2" rate="$3" dir="$WORK/$1-$2x$3"
  local events=$(( rate * MEASURE_SECONDS / CHANNELS )) warmup=$(( rate * WARMUP_SECONDS / CHANNELS ))
  events=$(( events < 1 ? 1 : events )); warmup=$(( warmup < 1 ? 1 : warmup ))
  local subscribe publish probe=()
  case "$peer" in
    nchan)
      start_nchan "$dir"
      subscribe="http://127.0.0.1:$NCHAN_PORT/sub/{channel}"; publish="http://127.0.0.1:$NCHAN_PORT/pub/{channel}" ;;
    gateway)
      start_gateway "$dir"
      subscribe="http://127.0.0.1:$GATEWAY_PORT/api/channels/{channel}/stream"; publish="http://127.0.0.1:$GATEWAY_PORT/api/channels/{channel}/events"
      probe=(--GcProbeDir "$dir/probe") ;;
    *) echo "Unknown peer '$peer' (nchan or gateway)." >&2; return 2 ;;
  esac
  echo "== $peer: $streams streams × $rate events/s ($CHANNELS channels, $events measured + $warmup warm-up events each, server pid $SERVER_PID)"
  dotnet "$TOOL_DLL" --Mode peer --Label "$peer" --SubscribeUrl "$subscribe" --PublishUrl "$publish" \
    --Streams "$streams" --Channels "$CHANNELS" --Rate "$rate" --Events "$events" --WarmupEvents "$warmup" \
    --PayloadBytes "$PAYLOAD" --Workers "$WORKERS" --Client "$CLIENT" --ServerPid "$SERVER_PID" "${probe[@]}" \
    --TimeoutSeconds $((MEASURE_SECONDS + WARMUP_SECONDS + 600)) --JsonOut "$RESULTS" 2>&1 | tee -a "$SUMMARY" \
    || echo "   ($peer $streams×$rate: the tool reported a failure; see $SUMMARY)"
  if [ "$peer" = gateway ]; then cp "$dir/server.log" "$OUT/gateway-$streams-x-$rate.log"; fi
  stop_pid "$SERVER_PID"
  local kept=() pid
  for pid in "${STARTED[@]}"; do [ "$pid" != "$SERVER_PID" ] && kept+=("$pid"); done
  STARTED=("${kept[@]}")
}

for row in $ROWS; do
  for peer in $PEERS; do
    run_row "$peer" "${row%x*}" "${row#*x}"
  done
done

LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
dotnet "$BUILD/plot/Gateway.BenchPlot.dll" "$RESULTS" "$WORK/table.md" "$OUT/plot.png" > /dev/null
{
  echo "# Gateway vs Nchan, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(uname -sr);" \
       "load average before $LOAD_BEFORE, after $LOAD_AFTER. Client and servers share the machine."
  echo "Nchan $(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2>/dev/null || echo '?') on nginx $(nginx -v 2>&1 | sed 's|.*/||') (2 workers);" \
       "the gateway's server host published Release (extra environment: ${GATEWAY_ENV:-none})."
  echo "Rows: streams × events/s in all over $CHANNELS channels, $PAYLOAD-byte events, ${MEASURE_SECONDS} s measured after ${WARMUP_SECONDS} s of warm-up, a fresh server per row."
  echo "Command: BENCH_ROWS=\"$ROWS\" BENCH_SECONDS=$MEASURE_SECONDS BENCH_CLIENT=$CLIENT bash scripts/bench-peers.sh"
  echo "Each cell: Nchan / gateway (gateway ÷ Nchan). Of which kernel µs: the part of the server's CPU per delivery the kernel" \
       "spent for it (system time: syscalls, wake-ups); the rest is the server's own code. Context switches: voluntary (a thread" \
       "blocked) + involuntary (a thread preempted), summed over every thread of the server's processes, per 1,000 deliveries." \
       "Idle KiB per stream: server RSS with the streams open minus before," \
       "per stream (the gateway's after a forced full collection). GC: the gateway's collections during the measured window and" \
       "their total pause (every stream waits through a pause), counted by the load tool's startup hook without collecting."
  echo
  cat "$WORK/table.md"
  echo
  echo "![p99 and memory against streams](plot.png)"
} > "$OUT/table.md"
cat "$OUT/table.md"
echo "Written: $OUT/table.md, $OUT/plot.png, $RESULTS, $SUMMARY"
