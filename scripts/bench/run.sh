#!/usr/bin/env bash
# The performance harness (issue #10): Switchyard against a direct call to the same loopback
# upstream (and, with --peer litellm, against LiteLLM's proxy), with wrk.
#
# Usage: scripts/bench/run.sh [--quick] [--peer litellm] [--no-micro] [--duration SECONDS]
#                             [--allocator mimalloc|glibc]
#   --quick            3 s per run, fewer TTFT samples and cold starts (a smoke test of the harness)
#   --peer litellm     also install LiteLLM's proxy (pinned) into .venv-litellm and measure it
#   --no-micro         skip the Core microbenchmarks (Benchmarks/ package)
#   --duration S       seconds per measured run (default 10, at most 60)
#   --rounds N         runs of the gateway's explicit and "auto" scenarios at concurrency 32 and
#                      128, the CPU-per-request target's (default 3, 1 with --quick, at most 9):
#                      the first with the other scenarios, the rest after the frameworks' floor, so
#                      they fall in other minutes of the shared host; the verdict takes each
#                      scenario's median and shows every round
#   --streams N        concurrent streams in the many-streams scenario (default 1000, 100 with
#                      --quick, 0 skips it); they run for 30 s (5 s with --quick)
#   --idle-poll NS     also measure concurrency 1 and time to first token with haltpoll's guest
#                      poll time at NS nanoseconds (e.g. 200000, the kernel's default), as targets
#                      direct-haltpoll and switchyard-haltpoll: on a KVM guest whose idle CPUs use
#                      the haltpoll driver, an idle vCPU then polls up to NS before it halts. The
#                      setting is the machine's (/sys/module/haltpoll/parameters/guest_halt_poll_ns,
#                      root); the harness puts the previous value back when it exits, unless killed
#                      with SIGKILL
#   --allocator A      mimalloc (default): build with the package trait Mimalloc, the production
#                      build (installs libmimalloc-dev when root); glibc: build without it
#   SWITCHYARD_BIN=path/to/switchyard   use that binary instead of building release
#
# What it does, all on 127.0.0.1: builds release; starts `switchyard mock-provider --instant`
# (the upstream) and the gateway on a generated configuration (three tiers on the mock, SQLite
# ledger in a temporary directory); pins the gateway (and the peer) to CPU 1 and the upstream,
# wrk and the probes to CPU 0 when there are two or more CPUs. Scenarios: explicit model, model
# "auto" (routing), streaming, and "auto" through Anthropic's Messages API (POST /v1/messages;
# its direct run is the upstream's own /v1/messages), at concurrency 1, 32 and 128, each run
# directly against the upstream and through the gateway; then the frameworks' floor, `switchyard passthrough` (the same
# server and upstream pool with no gateway work) behind the gateway's server, behind Hummingbird's
# own HTTP/1 channel and behind a bare SwiftNIO handler, as targets floor-hummingbird,
# floor-hummingbird-async and floor-nio; and, when nginx is installed (apt-get install
# nginx-light; the harness does not install it), behind nginx as a plain reverse proxy with pooled
# upstream connections (one process, answers not buffered), as target floor-nginx: what the extra
# loopback hop costs through a proxy written in C. Then concurrency 1 and time to first token again through a
# gateway with server.cpu_latency_limit_us: 0 (idle CPUs poll instead of halting; it takes write
# access to /dev/cpu_dma_latency), against a direct baseline measured in the same state, as targets
# switchyard-pmqos and direct-pmqos; with --idle-poll, the same once more with haltpoll's guest
# poll time set, as targets switchyard-haltpoll and direct-haltpoll. Measures req/s and latency percentiles (wrk), the gateway's
# CPU per request (/proc utime+stime ÷ requests), the hypervisor's steal time during each run,
# peak and idle RSS (VmHWM, VmRSS), cold start
# (process start to the first 200 on /healthz, polled every 5 ms) and streamed time to first
# token at concurrency 1; then many concurrent streams against a paced upstream (streams.py: stalls,
# and the client's own lag and each CPU's steal, to tell a stall from a pause of the machine).
# Prints one table (with the gateway's CPU per request as a multiple of
# floor-nio's in the same run, which moves less with the shared host than the absolute numbers)
# and the verdict on each of issue #10's targets (`bench.py targets FILE` prints it again for any
# recorded run), and writes benchmarks/results/<timestamp>.json, plus the microbenchmark output next to it
# (<timestamp>-micro.md).
#
# Every process it starts is stopped by PID on exit; every wait is bounded.
set -euo pipefail

QUICK=0
PEER=""
MICRO=1
DURATION=""
ROUNDS=""
STREAMS=""
IDLE_POLL_NS=""
ALLOCATOR=mimalloc
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --peer) shift; PEER=${1:-}; [ "$PEER" = litellm ] || { echo "--peer takes 'litellm'" >&2; exit 2; } ;;
    --peer=litellm) PEER=litellm ;;
    --no-micro) MICRO=0 ;;
    --duration) shift; DURATION=${1:-} ;;
    --rounds) shift; ROUNDS=${1:-} ;;
    --streams) shift; STREAMS=${1:-} ;;
    --idle-poll) shift; IDLE_POLL_NS=${1:-} ;;
    --allocator) shift; ALLOCATOR=${1:-}; [[ "$ALLOCATOR" =~ ^(mimalloc|glibc)$ ]] || { echo "--allocator takes mimalloc or glibc" >&2; exit 2; } ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
HERE=scripts/bench
export SWIFT_DETERMINISTIC_HASHING=1

if [ -z "$DURATION" ]; then DURATION=$([ $QUICK = 1 ] && echo 3 || echo 10); fi
[[ "$DURATION" =~ ^[0-9]+$ ]] && [ "$DURATION" -ge 1 ] && [ "$DURATION" -le 60 ] || { echo "--duration must be 1–60 s" >&2; exit 2; }
WARMUP=1
if [ -z "$ROUNDS" ]; then ROUNDS=$([ $QUICK = 1 ] && echo 1 || echo 3); fi
[[ "$ROUNDS" =~ ^[0-9]+$ ]] && [ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 9 ] || { echo "--rounds must be 1–9" >&2; exit 2; }
if [ -z "$STREAMS" ]; then STREAMS=$([ $QUICK = 1 ] && echo 100 || echo 1000); fi
[[ "$STREAMS" =~ ^[0-9]+$ ]] && [ "$STREAMS" -le 5000 ] || { echo "--streams must be 0–5000" >&2; exit 2; }
STREAM_SECONDS=$([ $QUICK = 1 ] && echo 5 || echo 30)
HALTPOLL=/sys/module/haltpoll/parameters/guest_halt_poll_ns
if [ -n "$IDLE_POLL_NS" ]; then
  [[ "$IDLE_POLL_NS" =~ ^[0-9]+$ ]] && [ "$IDLE_POLL_NS" -le 10000000 ] || { echo "--idle-poll must be 0–10000000 ns" >&2; exit 2; }
  [ -w "$HALTPOLL" ] || { echo "--idle-poll needs the haltpoll cpuidle driver and write access to $HALTPOLL" >&2; exit 2; }
fi
CONCURRENCY=(1 32 128)
TTFT_REQUESTS=$([ $QUICK = 1 ] && echo 300 || echo 2000)
COLD_TRIALS=$([ $QUICK = 1 ] && echo 3 || echo 7)
TS=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=benchmarks/results
mkdir -p "$RESULTS"

WORK=$(mktemp -d)
PIDS=()
HALTPOLL_BEFORE=""
cleanup() {
  local pid
  if [ -n "$HALTPOLL_BEFORE" ]; then echo "$HALTPOLL_BEFORE" >"$HALTPOLL" || true; fi
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '== %s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------------------------
# apt_install PACKAGE WHY: installs a Debian package when running as root, else stops with WHY.
apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing $1"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "$2" >&2; exit 1
  fi
}
command -v wrk >/dev/null || apt_install wrk "wrk is required (Debian: apt-get install wrk)"
command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }

if [ -z "${SWITCHYARD_BIN:-}" ]; then
  TRAITS=()
  if [ "$ALLOCATOR" = mimalloc ]; then
    [ -e /usr/include/mimalloc.h ] ||
      apt_install libmimalloc-dev "the mimalloc build needs libmimalloc-dev (Debian), or use --allocator glibc"
    TRAITS=(--traits Mimalloc)
  fi
  say "building release (swift build -c release --product switchyard ${TRAITS[*]})"
  swift build -c release --product switchyard "${TRAITS[@]}" >&2
  BIN=$ROOT/.build/release/switchyard
else
  BIN=$SWITCHYARD_BIN
fi
[ -x "$BIN" ] || { echo "no switchyard binary at $BIN" >&2; exit 1; }

# Gateway (and peer) on CPU 1; upstream, wrk and probes on CPU 0.
GW_PIN=()
LOAD_PIN=()
PINNED=false
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  GW_PIN=(taskset -c 1)
  LOAD_PIN=(taskset -c 0)
  PINNED=true
fi
WRK_THREADS=1
[ "$PINNED" = true ] || WRK_THREADS=2
HZ=$(getconf CLK_TCK)

# waits up to $3 seconds (in 50 ms steps) for regex $2 in file $1, prints the first match's group
wait_for_line() {
  local file=$1 regex=$2 seconds=$3 i
  for i in $(seq 1 $((seconds * 20))); do
    if [ -f "$file" ] && grep -Eq "$regex" "$file"; then
      sed -nE "s#.*${regex}.*#\\1#p" "$file" | head -1
      return 0
    fi
    sleep 0.05
  done
  return 1
}
# waits up to $2 seconds for HTTP 200 from URL $1 (polling every 50 ms); gives up early if
# process $3 (optional) has exited
wait_for_200() {
  local url=$1 seconds=$2 pid=${3:-} i
  for i in $(seq 1 $((seconds * 20))); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)" = 200 ] && return 0
    [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
proc() { python3 "$HERE/bench.py" proc "$1"; }
# a TCP port free on 127.0.0.1 now, for a server that takes no port 0
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# start_gateway CONFIG LOG WHAT: `switchyard serve` on CONFIG, pinned like the gateway, until its
# /healthz answers 200; sets STARTED_PID and STARTED_PORT (exits naming WHAT if it does not start).
start_gateway() {
  local config=$1 log=$2 what=$3
  "${GW_PIN[@]}" "$BIN" serve --config "$config" --log-level error >"$log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
  STARTED_PORT=$(wait_for_line "$log" 'ready on http://127\.0\.0\.1:([0-9]+)' 30) \
    || { cat "$log" >&2; echo "$what did not start" >&2; exit 1; }
  wait_for_200 "http://127.0.0.1:$STARTED_PORT/healthz" 10 || { echo "$what: /healthz is not 200" >&2; exit 1; }
}
field() { sed -nE "s/.*\\b$1=([0-9.]+).*/\\1/p" <<<"$2"; }

python3 "$HERE/bench.py" meta quick=$([ $QUICK = 1 ] && echo true || echo false) duration_s="$DURATION" \
  pinned="$PINNED" gateway_cpu="$([ "$PINNED" = true ] && echo '"1"' || echo null)" \
  load_cpu="$([ "$PINNED" = true ] && echo '"0 (upstream, wrk, probes)"' || echo null)" \
  wrk_threads="$WRK_THREADS" binary="\"$BIN\"" build="\"$("$BIN" --version 2>/dev/null || echo unknown)\"" >"$WORK/meta.json"
ROWS=$WORK/rows.jsonl
: >"$ROWS"

# --- upstream ----------------------------------------------------------------------------------
say "starting the upstream: switchyard mock-provider --instant"
"${LOAD_PIN[@]}" "$BIN" mock-provider --instant --port 0 --log-level error >"$WORK/mock.out" 2>&1 &
MOCK_PID=$!
PIDS+=("$MOCK_PID")
MOCK_PORT=$(wait_for_line "$WORK/mock.out" 'listening on http://127\.0\.0\.1:([0-9]+)/v1' 30) \
  || { cat "$WORK/mock.out" >&2; echo "the mock provider did not start" >&2; exit 1; }
MOCK_URL=http://127.0.0.1:$MOCK_PORT/v1

# --- gateway -----------------------------------------------------------------------------------
# shellcheck source=scripts/bench/gateway-config.sh
source "$HERE/gateway-config.sh"
write_gateway_config "$WORK/switchyard.yaml" "$MOCK_URL" "$WORK/bench.sqlite"

say "cold start: $COLD_TRIALS starts of the gateway, time to the first 200 on /healthz"
COLD=$(python3 "$HERE/bench.py" coldstart --trials "$COLD_TRIALS" -- "${GW_PIN[@]}" "$BIN" serve --config "$WORK/switchyard.yaml" \
  --port '{port}' --database '{db}' --log-level error)
printf '{"kind":"coldstart-switchyard","ms":[%s]}\n' "$(tr ' ' ',' <<<"$COLD")" >>"$ROWS"

say "starting the gateway"
start_gateway "$WORK/switchyard.yaml" "$WORK/gateway.out" "the gateway"
GW_PID=$STARTED_PID
GW_URL=http://127.0.0.1:$STARTED_PORT/v1
sleep 2
IDLE=$(proc "$GW_PID")

# Where "auto" goes for the benchmark prompt (recorded in the results).
AUTO_MODEL=$(curl -s -D - -o /dev/null --max-time 5 "$GW_URL/chat/completions" -H 'content-type: application/json' \
  -d '{"model":"auto","messages":[{"role":"user","content":"Summarize this email in one sentence: the quarterly review moved to Thursday at 10am, bring the updated budget numbers."}]}' \
  | tr -d '\r' | sed -n 's/^x-switchyard-model: //Ip')
say "model auto routes the benchmark prompt to: ${AUTO_MODEL:-?}"

# --- scenarios ---------------------------------------------------------------------------------
# Ticks the hypervisor ran something else while this VM's CPUs wanted to run (steal, /proc/stat):
# a run with much of it measured the host, not the gateway.
steal_ticks() { awk '$1 == "cpu" { print $9 }' /proc/stat; }

# run_wrk TARGET SCENARIO CONCURRENCY URL MODEL STREAM PROXY_PID [WIRE]
#   The row records ROUND (1 but in the later rounds of the CPU scenarios).
#   WIRE: chat (default; POST URL/chat/completions) or messages (the same request in Anthropic's
#   format; POST URL/messages)
run_wrk() {
  local target=$1 scenario=$2 c=$3 url=$4 model=$5 stream=$6 pid=$7 wire=${8:-chat}
  local before after up_before up_after load out line cpu_us up_cpu_us sample hwm steal_before steal_ms route check_body
  if [ "$wire" = messages ]; then
    route=$url/messages
    check_body="{\"model\":\"$model\",\"max_tokens\":64,\"stream\":$stream,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
  else
    route=$url/chat/completions
    check_body="{\"model\":\"$model\",\"stream\":$stream,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
  fi
  # Check once that the request succeeds before measuring it.
  if [ "$c" = "${CONCURRENCY[0]}" ]; then
    local code
    code=$(curl -s -o "$WORK/check.out" -w '%{http_code}' --max-time 30 "$route" -H 'content-type: application/json' \
      -H 'anthropic-version: 2023-06-01' -d "$check_body" || true)
    [ "$code" = 200 ] || { echo "$target $scenario: HTTP $code: $(head -c 300 "$WORK/check.out")" >&2; return 1; }
  fi
  BODY_MODEL=$model BODY_STREAM=$stream BODY_WIRE=$wire timeout $((WARMUP + 30)) "${LOAD_PIN[@]}" wrk -t"$WRK_THREADS" -c"$c" -d"${WARMUP}s" \
    --timeout 10s -s "$HERE/chat.lua" "$route" >/dev/null 2>&1 || true
  load=$(cut -d' ' -f1 /proc/loadavg)
  steal_before=$(steal_ticks)
  before=$(proc "$pid"); up_before=$(proc "$MOCK_PID")
  out=$(BODY_MODEL=$model BODY_STREAM=$stream BODY_WIRE=$wire timeout $((DURATION + 40)) "${LOAD_PIN[@]}" wrk -t"$WRK_THREADS" -c"$c" -d"${DURATION}s" \
    --timeout 10s -s "$HERE/chat.lua" "$route" 2>&1) || true
  after=$(proc "$pid"); up_after=$(proc "$MOCK_PID")
  steal_ms=$(( ($(steal_ticks) - steal_before) * 1000 / HZ ))
  line=$(grep '^bench ' <<<"$out" | head -1)
  if [ -z "$line" ]; then echo "$target $scenario c=$c: wrk gave no result:" >&2; echo "$out" >&2; return 1; fi
  up_cpu_us=$(( ($(field cpu_ticks "$up_after") - $(field cpu_ticks "$up_before")) * 1000000 / HZ ))
  if [[ "$target" == direct* ]]; then
    cpu_us=null; hwm=null
  else
    cpu_us=$(( ($(field cpu_ticks "$after") - $(field cpu_ticks "$before")) * 1000000 / HZ ))
    hwm=$(field hwm_kb "$after")
  fi
  sample=$(sed -e 's/^bench //' -e 's/\([a-z0-9_]*\)=\([0-9.]*\)/"\1":\2/g' -e 's/ /,/g' <<<"$line")
  printf '{"kind":"wrk","target":"%s","scenario":"%s","concurrency":%s,"round":%s,"model":"%s","stream":%s,%s,"cpu_us":%s,"upstream_cpu_us":%s,"hwm_kb":%s,"load1":%s,"steal_ms":%s}\n' \
    "$target" "$scenario" "$c" "$ROUND" "$model" "$stream" "$sample" "$cpu_us" "$up_cpu_us" "$hwm" "$load" "$steal_ms" >>"$ROWS"
  printf '   %-10s %-8s c=%-3s %s\n' "$target$([ "$ROUND" = 1 ] || echo " #$ROUND")" "$scenario" "$c" "${line#bench }" >&2
}

say "scenarios: ${DURATION}s per run after a ${WARMUP}s warm-up, concurrency ${CONCURRENCY[*]}"
ROUND=1
for c in "${CONCURRENCY[@]}"; do
  run_wrk direct explicit "$c" "$MOCK_URL" sim-light false "$MOCK_PID"
  run_wrk switchyard explicit "$c" "$GW_URL" bench-light false "$GW_PID"
  run_wrk switchyard auto "$c" "$GW_URL" auto false "$GW_PID"
  run_wrk direct stream "$c" "$MOCK_URL" sim-light true "$MOCK_PID"
  run_wrk switchyard stream "$c" "$GW_URL" bench-light true "$GW_PID"
  # Anthropic's Messages API on the gateway (translated to the chat route and back), against the
  # simulated provider's own /v1/messages.
  run_wrk direct messages "$c" "$MOCK_URL" sim-light false "$MOCK_PID" messages
  run_wrk switchyard messages "$c" "$GW_URL" auto false "$GW_PID" messages
done

# --- the frameworks' floor ------------------------------------------------------------------------
# `switchyard passthrough` forwards each request through the same upstream pool with no routing,
# checks or accounting: behind the gateway's server (Hummingbird's router on a SwiftNIO channel
# handler), behind Hummingbird's own HTTP/1 channel (NIOAsyncChannel; what the gateway used
# before), and behind one SwiftNIO channel handler (no Swift tasks; plain answers only). What the
# gateway costs above the first is its own work; what these cost above "direct" is the
# frameworks' and the extra loopback hop's.
for server in hummingbird hummingbird-async nio; do
  say "floor: switchyard passthrough --server $server"
  "${GW_PIN[@]}" "$BIN" passthrough --server "$server" --upstream "$MOCK_URL" --port 0 >"$WORK/floor-$server.out" 2>&1 &
  FLOOR_PID=$!
  PIDS+=("$FLOOR_PID")
  FLOOR_PORT=$(wait_for_line "$WORK/floor-$server.out" 'listening on http://127\.0\.0\.1:([0-9]+)' 30) \
    || { cat "$WORK/floor-$server.out" >&2; echo "the $server passthrough did not start" >&2; exit 1; }
  for c in "${CONCURRENCY[@]}"; do
    run_wrk "floor-$server" explicit "$c" "http://127.0.0.1:$FLOOR_PORT/v1" sim-light false "$FLOOR_PID"
    if [ "$server" = hummingbird ]; then
      run_wrk "floor-$server" stream "$c" "http://127.0.0.1:$FLOOR_PORT/v1" sim-light true "$FLOOR_PID"
    fi
  done
  kill "$FLOOR_PID" 2>/dev/null || true
  wait "$FLOOR_PID" 2>/dev/null || true
done

# --- the CPU scenarios' later rounds -----------------------------------------------------------
# The host's speed moves a 10 s run's CPU per request by 30 % from one minute to the next (the
# upstream's CPU per request, measured in the same seconds, moves with it). The gateway's explicit
# and "auto" scenarios at the loaded concurrencies run again here, minutes after their first round;
# the CPU verdict takes each one's median.
if [ "$ROUNDS" -gt 1 ]; then
  say "CPU scenarios, rounds 2–$ROUNDS"
  for ROUND in $(seq 2 "$ROUNDS"); do
    for c in "${CONCURRENCY[@]}"; do
      [ "$c" -gt 1 ] || continue
      run_wrk switchyard explicit "$c" "$GW_URL" bench-light false "$GW_PID"
      run_wrk switchyard auto "$c" "$GW_URL" auto false "$GW_PID"
    done
  done
  ROUND=1
fi

# nginx as a plain reverse proxy: the same hop through C, with no Swift and no gateway work. It
# stays up (pinned like the gateway, idle between runs) so the idle-policy scenarios below measure
# it at concurrency 1 too, as floor-nginx-pmqos and floor-nginx-haltpoll.
NGINX_URL=""
if command -v nginx >/dev/null; then
  NGINX_PORT=$(free_port)
  mkdir -p "$WORK/nginx"
  # One process (no master); keep-alive connections are never retired by count on either side;
  # streamed answers pass through unbuffered.
  cat >"$WORK/nginx/nginx.conf" <<NGINX
daemon off;
master_process off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  keepalive_requests 1000000000;
  upstream mock { server 127.0.0.1:$MOCK_PORT; keepalive 256; keepalive_requests 1000000000; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://mock; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
  }
}
NGINX
  say "floor: nginx $(nginx -v 2>&1 | sed 's#.*/##') as a reverse proxy"
  "${GW_PIN[@]}" nginx -c "$WORK/nginx/nginx.conf" >"$WORK/nginx.out" 2>&1 &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  # Ready once the upstream's model list comes back through it.
  if wait_for_200 "http://127.0.0.1:$NGINX_PORT/v1/models" 10 "$NGINX_PID"; then
    NGINX_URL=http://127.0.0.1:$NGINX_PORT/v1
    for c in "${CONCURRENCY[@]}"; do
      run_wrk floor-nginx explicit "$c" "$NGINX_URL" sim-light false "$NGINX_PID"
      run_wrk floor-nginx stream "$c" "$NGINX_URL" sim-light true "$NGINX_PID"
    done
  else
    cat "$WORK/nginx.out" "$WORK/nginx/error.log" >&2 2>/dev/null || true
    kill "$NGINX_PID" 2>/dev/null || true
    printf '{"kind":"floor-nginx-skipped","reason":"nginx did not answer within 10 s (see the harness output)"}\n' >>"$ROWS"
  fi
else
  printf '{"kind":"floor-nginx-skipped","reason":"nginx is not installed (Debian: apt-get install nginx-light); floor-nginx not measured"}\n' >>"$ROWS"
fi

# run_ttft TARGET URL MODEL: streamed time to first token at concurrency 1, one row.
run_ttft() {
  local result
  result=$(timeout 120 "${LOAD_PIN[@]}" python3 "$HERE/bench.py" ttft --url "$2/chat/completions" --model "$3" \
    --requests "$TTFT_REQUESTS" --max-seconds 30)
  printf '{"kind":"ttft","target":"%s",%s\n' "$1" "${result#\{}" >>"$ROWS"
}

say "streamed time to first token, concurrency 1, $TTFT_REQUESTS requests each"
run_ttft direct "$MOCK_URL" sim-light
run_ttft switchyard "$GW_URL" bench-light
# What the hop alone adds to the first token: nginx passes the stream on unbuffered.
if [ -n "$NGINX_URL" ]; then run_ttft floor-nginx "$NGINX_URL" sim-light; fi
FINAL=$(proc "$GW_PID")
printf '{"kind":"idle-switchyard","idle_rss_kb":%s,"idle_hwm_kb":%s,"final_rss_kb":%s,"final_hwm_kb":%s,"auto_routes_to":"%s"}\n' \
  "$(field rss_kb "$IDLE")" "$(field hwm_kb "$IDLE")" "$(field rss_kb "$FINAL")" "$(field hwm_kb "$FINAL")" "$AUTO_MODEL" >>"$ROWS"

# measure_c1_in_state STATE GATEWAY_URL GATEWAY_PID: concurrency 1 (explicit, auto, stream) and
# time to first token, directly, through the gateway and through nginx, as targets direct-STATE,
# switchyard-STATE and floor-nginx-STATE: the direct baseline is measured again in the machine
# state being tried.
measure_c1_in_state() {
  local state=$1 url=$2 pid=$3
  run_wrk "direct-$state" explicit 1 "$MOCK_URL" sim-light false "$MOCK_PID"
  run_wrk "switchyard-$state" explicit 1 "$url" bench-light false "$pid"
  run_wrk "switchyard-$state" auto 1 "$url" auto false "$pid"
  if [ -n "$NGINX_URL" ]; then run_wrk "floor-nginx-$state" explicit 1 "$NGINX_URL" sim-light false "$NGINX_PID"; fi
  run_wrk "direct-$state" stream 1 "$MOCK_URL" sim-light true "$MOCK_PID"
  run_wrk "switchyard-$state" stream 1 "$url" bench-light true "$pid"
  run_ttft "direct-$state" "$MOCK_URL" sim-light
  run_ttft "switchyard-$state" "$url" bench-light
  if [ -n "$NGINX_URL" ]; then run_ttft "floor-nginx-$state" "$NGINX_URL" sim-light; fi
}

# --- concurrency 1 with idle CPUs polling -----------------------------------------------------------
# A second gateway with server.cpu_latency_limit_us: 0 holds a PM QoS request while it runs: idle
# CPUs poll instead of halting, which on a VM is an exit to the hypervisor at every wake-up. The
# request covers the whole machine, so the direct baseline is measured again while it is held
# (targets direct-pmqos and switchyard-pmqos). It takes write access to /dev/cpu_dma_latency.
if [ -w /dev/cpu_dma_latency ]; then
  say "concurrency 1 with server.cpu_latency_limit_us: 0 (idle CPUs poll), directly and through a second gateway"
  sed -e 's#^server: { host: 127.0.0.1, port: 0 }#server: { host: 127.0.0.1, port: 0, cpu_latency_limit_us: 0 }#' \
    -e "s#bench.sqlite#pmqos.sqlite#" "$WORK/switchyard.yaml" >"$WORK/pmqos.yaml"
  start_gateway "$WORK/pmqos.yaml" "$WORK/pmqos-gateway.out" "the gateway with a CPU latency limit"
  QGW_PID=$STARTED_PID
  QGW_URL=http://127.0.0.1:$STARTED_PORT/v1
  measure_c1_in_state pmqos "$QGW_URL" "$QGW_PID"
  kill "$QGW_PID" 2>/dev/null || true
  wait "$QGW_PID" 2>/dev/null || true
else
  printf '{"kind":"pmqos-skipped","reason":"no write access to /dev/cpu_dma_latency: the idle-CPUs-poll scenario was skipped"}\n' >>"$ROWS"
fi

# --- concurrency 1 with haltpoll's guest poll time (--idle-poll) ---------------------------------------
# The machine-side alternative to the PM QoS key on a KVM guest: an idle vCPU polls up to
# IDLE_POLL_NS before it halts, over a window that shrinks while no wake-up comes in it. The same
# gateway as the main scenarios; the direct baseline is measured again in the same state.
if [ -n "$IDLE_POLL_NS" ]; then
  say "concurrency 1 with haltpoll's guest poll time at $IDLE_POLL_NS ns, directly and through the gateway"
  HALTPOLL_BEFORE=$(cat "$HALTPOLL")
  echo "$IDLE_POLL_NS" >"$HALTPOLL"
  measure_c1_in_state haltpoll "$GW_URL" "$GW_PID"
  echo "$HALTPOLL_BEFORE" >"$HALTPOLL"
  HALTPOLL_BEFORE=""
  printf '{"kind":"haltpoll","guest_halt_poll_ns":%s}\n' "$IDLE_POLL_NS" >>"$ROWS"
fi

if [ -n "$NGINX_URL" ]; then
  kill "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
fi

# --- many concurrent streams -----------------------------------------------------------------------
# A paced upstream (one token every STREAM_INTERVAL_MS) and a second gateway in front of it;
# STREAMS connections stream back to back for STREAM_SECONDS, directly and through the gateway.
# A stall is a gap between two reads of one stream longer than the token interval plus 100 ms.
if [ "$STREAMS" -gt 0 ]; then
  STREAM_INTERVAL_MS=200
  say "$STREAMS concurrent streams for ${STREAM_SECONDS}s (one token every ${STREAM_INTERVAL_MS} ms), direct and through the gateway"
  cat >"$WORK/paced.yaml" <<YAML
seed: 11
default: { ttft: 0ms, tokens_per_second: $((1000 / STREAM_INTERVAL_MS)), output_tokens: 40 }
YAML
  "${LOAD_PIN[@]}" "$BIN" mock-provider --profile "$WORK/paced.yaml" --port 0 --log-level error >"$WORK/paced.out" 2>&1 &
  PACED_PID=$!
  PIDS+=("$PACED_PID")
  PACED_PORT=$(wait_for_line "$WORK/paced.out" 'listening on http://127\.0\.0\.1:([0-9]+)/v1' 30) \
    || { cat "$WORK/paced.out" >&2; echo "the paced mock provider did not start" >&2; exit 1; }
  sed -e "s#$MOCK_URL#http://127.0.0.1:$PACED_PORT/v1#" -e "s#timeout: 30s#timeout: 60s, max_connections: $((STREAMS + 64))#" \
    -e "s#bench.sqlite#streams.sqlite#" "$WORK/switchyard.yaml" >"$WORK/streams.yaml"
  start_gateway "$WORK/streams.yaml" "$WORK/streams-gateway.out" "the streams gateway"
  SGW_PID=$STARTED_PID
  SGW_PORT=$STARTED_PORT
  sleep 1
  SGW_IDLE=$(proc "$SGW_PID")
  for spec in "direct http://127.0.0.1:$PACED_PORT/v1 sim-light" "switchyard http://127.0.0.1:$SGW_PORT/v1 bench-light"; do
    read -r target url model <<<"$spec"
    result=$(timeout $((STREAM_SECONDS + 60)) "${LOAD_PIN[@]}" python3 "$HERE/streams.py" --url "$url" --model "$model" \
      --streams "$STREAMS" --duration "$STREAM_SECONDS" --interval-ms "$STREAM_INTERVAL_MS") \
      || { echo "$target: the streams client failed" >&2; continue; }
    if [ "$target" = switchyard ]; then
      after=$(proc "$SGW_PID")
      printf '{"kind":"streams","target":"%s","idle_rss_kb":%s,"hwm_kb":%s,%s\n' "$target" "$(field rss_kb "$SGW_IDLE")" "$(field hwm_kb "$after")" "${result#\{}" >>"$ROWS"
    else
      printf '{"kind":"streams","target":"%s",%s\n' "$target" "${result#\{}" >>"$ROWS"
    fi
    say "   $target: $result"
  done
fi

# --- peer: LiteLLM -------------------------------------------------------------------------------
peer_skip() { say "peer skipped: $1"; printf '{"kind":"peer-skipped","reason":"%s"}\n' "$1" >>"$ROWS"; }
if [ "$PEER" = litellm ]; then
  VENV=$ROOT/.venv-litellm
  LITELLM_VERSION=1.106.2
  if ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('litellm') != '$LITELLM_VERSION')" 2>/dev/null; then
    say "installing litellm[proxy]==$LITELLM_VERSION into .venv-litellm"
    if ! { python3 -m venv "$VENV" && timeout 1200 "$VENV/bin/pip" install -q "litellm[proxy]==$LITELLM_VERSION" >"$WORK/pip.log" 2>&1; }; then
      tail -20 "$WORK/pip.log" >&2 || true
      peer_skip "pip install litellm[proxy]==$LITELLM_VERSION failed (see above); no peer measured"
      PEER=""
    fi
  fi
fi
if [ "$PEER" = litellm ]; then
  # LiteLLM has no routing equivalent to "auto": it is a plain alias of the same mock model.
  cat >"$WORK/litellm.yaml" <<YAML
model_list:
  - model_name: bench-light
    litellm_params: { model: openai/sim-light, api_base: "$MOCK_URL", api_key: unused }
  - model_name: auto
    litellm_params: { model: openai/sim-light, api_base: "$MOCK_URL", api_key: unused }
litellm_settings:
  drop_params: true
  telemetry: false
YAML
  # No master key and no database: a local benchmark (LiteLLM refuses to start keyless without
  # the explicit opt-in below).
  LL_PORT=$(free_port)
  say "starting LiteLLM (one worker) on port $LL_PORT"
  LL_START=$(date +%s%N)
  env -u DATABASE_URL -u LITELLM_MASTER_KEY LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_LOG=ERROR \
    LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY=true "${GW_PIN[@]}" "$VENV/bin/litellm" \
    --config "$WORK/litellm.yaml" --host 127.0.0.1 --port "$LL_PORT" --num_workers 1 >"$WORK/litellm.out" 2>&1 &
  LL_PID=$!
  PIDS+=("$LL_PID")
  if wait_for_200 "http://127.0.0.1:$LL_PORT/health/liveliness" 180 "$LL_PID"; then
    # One start, polled every 50 ms (LiteLLM takes seconds to start, so one sample is enough).
    printf '{"kind":"coldstart-litellm","ms":[%s]}\n' "$(( ($(date +%s%N) - LL_START) / 1000000 ))" >>"$ROWS"
    sleep 2
    LL_IDLE=$(proc "$LL_PID")
    LL_URL=http://127.0.0.1:$LL_PORT/v1
    for c in "${CONCURRENCY[@]}"; do
      run_wrk litellm explicit "$c" "$LL_URL" bench-light false "$LL_PID" || true
      run_wrk litellm auto "$c" "$LL_URL" auto false "$LL_PID" || true
      run_wrk litellm stream "$c" "$LL_URL" bench-light true "$LL_PID" || true
    done
    result=$(timeout 120 "${LOAD_PIN[@]}" python3 "$HERE/bench.py" ttft --url "$LL_URL/chat/completions" --model bench-light \
      --requests $((TTFT_REQUESTS / 4)) --max-seconds 30) && printf '{"kind":"ttft","target":"litellm",%s\n' "${result#\{}" >>"$ROWS"
    LL_FINAL=$(proc "$LL_PID")
    printf '{"kind":"idle-litellm","idle_rss_kb":%s,"idle_hwm_kb":%s,"final_rss_kb":%s,"final_hwm_kb":%s}\n' \
      "$(field rss_kb "$LL_IDLE")" "$(field hwm_kb "$LL_IDLE")" "$(field rss_kb "$LL_FINAL")" "$(field hwm_kb "$LL_FINAL")" >>"$ROWS"
  else
    tail -30 "$WORK/litellm.out" >&2 || true
    peer_skip "LiteLLM did not become ready within 180 s (or exited); no peer measured"
  fi
fi

# Stop the servers before the microbenchmarks so they do not compete for the CPUs.
cleanup_servers() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  done
}
cleanup_servers

# --- microbenchmarks -----------------------------------------------------------------------------
MICRO_OUT=""
if [ $MICRO = 1 ]; then
  say "Core microbenchmarks (Benchmarks/: RoutingBenchmarks, LedgerBenchmarks)"
  MICRO_OUT=$RESULTS/$TS-micro.md
  if ! (cd Benchmarks && timeout 3600 swift package --disable-sandbox benchmark --no-progress --format markdown --path stdout) \
      >"$MICRO_OUT" 2>"$WORK/micro.err"; then
    tail -20 "$WORK/micro.err" >&2 || true
    echo "microbenchmarks failed; see above" >&2
  fi
fi

# --- report ------------------------------------------------------------------------------------
echo
python3 "$HERE/bench.py" report --rows "$ROWS" --meta "$WORK/meta.json" --json "$RESULTS/$TS.json" ${MICRO_OUT:+--micro "$MICRO_OUT"}
echo
echo "results: $RESULTS/$TS.json${MICRO_OUT:+ and $MICRO_OUT}"
