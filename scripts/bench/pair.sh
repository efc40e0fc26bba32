#!/usr/bin/env bash
# Paired comparison of two gateway builds' CPU per request, robust to a shared host's drift.
#
# Usage: scripts/bench/pair.sh BASELINE_BIN CANDIDATE_BIN [--rounds N] [--model M] [--stream]
#                              [--messages] [--anthropic-provider] [--concurrency C] [--seconds S]
#   BASELINE_BIN, CANDIDATE_BIN   two `switchyard` binaries (release builds)
#   --rounds N        measured rounds (default 3, at most 20)
#   --model M         model asked for (default auto; bench-light, bench-mid, bench-premium exist)
#   --stream          streamed requests instead of plain answers
#   --messages        the same request in Anthropic's format, to POST /v1/messages
#   --anthropic-provider  the gateways call the upstream as a provider of kind anthropic
#                     (its /v1/messages) instead of openai
#   --concurrency C   wrk connections per gateway (default 16, at most 256)
#   --seconds S       seconds per round (default 6, at most 60)
#
# Single runs of scripts/bench/run.sh move by 30-60 % with the host on a shared VM, far more than
# most changes. Here both gateways serve at the same time on the same core (CPU 1), each loaded by
# its own wrk on CPU 0 for the same seconds, so both see the same host; their CPU per request
# (/proc utime+stime ÷ requests) is compared round by round; a round in which any request
# failed (a socket error or a status other than 2xx) fails the run instead of comparing. Run it twice with the binaries
# swapped: the start order can favour one side slightly. Two copies of the same binary read
# 0.97-1.00 here.
#
# One `switchyard mock-provider --instant` (from the candidate binary) is the upstream; each
# gateway writes its ledger to a temporary directory. Every process started is stopped by PID on
# exit; every wait and load is bounded.
set -euo pipefail

usage() { sed -n '4,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
case "${1:-}" in -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
[ $# -ge 2 ] || usage
BASELINE=$1 CANDIDATE=$2
shift 2
ROUNDS=3 MODEL=auto STREAM=false WIRE=chat ROUTE=/v1/chat/completions PROVIDER_KIND=openai CONCURRENCY=16 SECONDS_PER_ROUND=6
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) shift; ROUNDS=${1:-} ;;
    --model) shift; MODEL=${1:-} ;;
    --stream) STREAM=true ;;
    --messages) WIRE=messages ROUTE=/v1/messages ;;
    --anthropic-provider) PROVIDER_KIND=anthropic ;;
    --concurrency) shift; CONCURRENCY=${1:-} ;;
    --seconds) shift; SECONDS_PER_ROUND=${1:-} ;;
    -h|--help) usage ;;
    *) echo "unknown option: $1" >&2; usage ;;
  esac
  shift
done
for bin in "$BASELINE" "$CANDIDATE"; do
  [ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }
done
[[ "$ROUNDS" =~ ^[0-9]+$ ]] && [ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 20 ] || { echo "--rounds must be 1-20" >&2; exit 2; }
[[ "$CONCURRENCY" =~ ^[0-9]+$ ]] && [ "$CONCURRENCY" -ge 1 ] && [ "$CONCURRENCY" -le 256 ] || { echo "--concurrency must be 1-256" >&2; exit 2; }
[[ "$SECONDS_PER_ROUND" =~ ^[0-9]+$ ]] && [ "$SECONDS_PER_ROUND" -ge 1 ] && [ "$SECONDS_PER_ROUND" -le 60 ] || { echo "--seconds must be 1-60" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 2; }

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ "$(nproc)" -ge 2 ]; then GATEWAY_PIN=(taskset -c 1); LOAD_PIN=(taskset -c 0); else GATEWAY_PIN=(); LOAD_PIN=(); fi

# wait_for_port FILE PATTERN: the port a started process printed (sed -E group 1), within 20 s.
wait_for_port() {
  local port=""
  for _ in $(seq 400); do
    port=$(sed -nE "s#$2#\\1#p" "$1" | head -1)
    [ -n "$port" ] && { echo "$port"; return 0; }
    sleep 0.05
  done
  echo "no port in $1:" >&2; cat "$1" >&2; return 1
}

"${LOAD_PIN[@]}" "$CANDIDATE" mock-provider --instant --port 0 --log-level error >"$WORK/mock.out" 2>&1 &
PIDS+=($!)
MOCK_PORT=$(wait_for_port "$WORK/mock.out" '.*listening on http://127\.0\.0\.1:([0-9]+)/v1.*')

# shellcheck source=scripts/bench/gateway-config.sh
source "$HERE/gateway-config.sh"
# start_gateway BIN NAME: a gateway on the benchmark configuration (a directory of its own for the
# ledger); its port goes to NAME.port.
start_gateway() {
  mkdir -p "$WORK/$2"
  write_gateway_config "$WORK/$2.yaml" "http://127.0.0.1:$MOCK_PORT/v1" "$WORK/$2/ledger.sqlite" "$PROVIDER_KIND"
  "${GATEWAY_PIN[@]}" "$1" serve --config "$WORK/$2.yaml" --log-level error >"$WORK/$2.out" 2>&1 &
  PIDS+=($!)
  wait_for_port "$WORK/$2.out" '.*ready on http://127\.0\.0\.1:([0-9]+).*' >"$WORK/$2.port"
}
start_gateway "$BASELINE" baseline
PID_A=${PIDS[-1]}
start_gateway "$CANDIDATE" candidate
PID_B=${PIDS[-1]}
PORT_A=$(cat "$WORK/baseline.port") PORT_B=$(cat "$WORK/candidate.port")

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# load SECONDS PORT OUT: wrk against one gateway; writes the number of requests to OUT, or
# nothing when a request failed.
load() {
  BODY_MODEL=$MODEL BODY_STREAM=$STREAM BODY_WIRE=$WIRE timeout $(($1 + 30)) "${LOAD_PIN[@]}" wrk -t1 -c"$CONCURRENCY" -d"$1s" --timeout 10s \
    -s "$HERE/chat.lua" "http://127.0.0.1:$2$ROUTE" 2>&1 | tee "$3.wrk" |
    sed -nE 's/^bench requests=([0-9]+) duration_us=[0-9]+ errors=0 non2xx=0 .*/\1/p' >"$3"
}

HZ=$(getconf CLK_TCK)
echo "route=$ROUTE provider=$PROVIDER_KIND model=$MODEL stream=$STREAM concurrency=$CONCURRENCY per gateway, ${SECONDS_PER_ROUND}s rounds; ratio = candidate ÷ baseline CPU per request"
# A warm-up second each; then the rounds. Only the two loads are waited for.
load 1 "$PORT_A" "$WORK/n" & warm=$!; load 1 "$PORT_B" "$WORK/n"; wait "$warm"
for round in $(seq "$ROUNDS"); do
  a0=$(ticks "$PID_A") b0=$(ticks "$PID_B")
  load "$SECONDS_PER_ROUND" "$PORT_A" "$WORK/na" & first=$!; load "$SECONDS_PER_ROUND" "$PORT_B" "$WORK/nb"; wait "$first"
  a1=$(ticks "$PID_A") b1=$(ticks "$PID_B")
  na=$(cat "$WORK/na") nb=$(cat "$WORK/nb")
  [ -n "$na" ] && [ -n "$nb" ] && [ "$na" -gt 0 ] && [ "$nb" -gt 0 ] || {
    echo "round $round: a request failed or wrk gave no result:" >&2; cat "$WORK/na.wrk" "$WORK/nb.wrk" >&2; exit 1
  }
  python3 - "$round" "$na" "$((a1 - a0))" "$nb" "$((b1 - b0))" "$HZ" <<'PY'
import sys
round_, na, ta, nb, tb, hz = sys.argv[1], *map(int, sys.argv[2:])
cpu_a, cpu_b = ta * 1e6 / hz / na, tb * 1e6 / hz / nb
print(f"round {round_}: baseline {na} requests, {cpu_a:.0f} µs CPU each | candidate {nb} requests, {cpu_b:.0f} µs | ratio {cpu_b / cpu_a:.3f}")
PY
done
