#!/usr/bin/env bash
# Bounded resilience soak on loopback: the first deployment fails 30 % of requests (15 % HTTP 500,
# 15 % HTTP 429), the second is healthy. Drives the gateway with wrk for DURATION seconds
# (default 40, at most 60) and requires zero client-visible failures over at least 20,000
# requests. Then cuts 20 streams mid-way and checks the gateway's CPU is idle afterwards.
#
# Usage: scripts/soak.sh [DURATION_SECONDS]     (builds release if needed; stops what it starts)
#        SWITCHYARD_BIN=path/to/switchyard scripts/soak.sh   (use a binary built elsewhere)
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_DETERMINISTIC_HASHING=1
DURATION=${1:-40}
[ "$DURATION" -le 60 ] || { echo "duration is capped at 60 s" >&2; exit 2; }

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
# SWITCHYARD_BIN may name an already built release binary.
if [ -z "${SWITCHYARD_BIN:-}" ]; then
  swift build -c release --product switchyard >/dev/null
fi
BIN=${SWITCHYARD_BIN:-.build/release/switchyard}
WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

MOCK_PORT=19091
GATEWAY_PORT=19090
cat >"$WORK/profile.yaml" <<YAML
seed: 7
default: { ttft: 0ms, tokens_per_second: 0, output_tokens: 24 }
models:
  sim-flaky: { faults: { server_error: 0.15, rate_limit: 0.15 } }
  sim-backup: {}
YAML
cat >"$WORK/switchyard.yaml" <<YAML
server: { host: 127.0.0.1, port: $GATEWAY_PORT }
tiers: [light, mid]
resilience:
  retries: { max_attempts: 2, base_delay: 1ms, max_delay: 5ms, retry_after_cap: 50ms, deadline: 10s }
  circuit_breaker: { consecutive_failures: 50, failure_rate: 0.9, minimum_requests: 200, window: 200, cooldown: 1s }
providers:
  - { name: sim, base_url: "http://127.0.0.1:$MOCK_PORT/v1", timeout: 5s, forward_headers: ["x-mock-*"] }
models:
  - { name: flaky, provider: sim, upstream_model: sim-flaky, tier: light, price: { input: 0.15, output: 0.60 }, fallbacks: [backup] }
  - { name: backup, provider: sim, upstream_model: sim-backup, tier: mid, price: { input: 0.40, output: 1.60 } }
YAML

"$BIN" mock-provider --port $MOCK_PORT --profile "$WORK/profile.yaml" --log-level error >"$WORK/mock.log" 2>&1 &
PIDS+=($!)
"$BIN" serve --config "$WORK/switchyard.yaml" --log-level error >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
PIDS+=($GATEWAY_PID)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$GATEWAY_PORT/readyz" >/dev/null && break; sleep 0.1; done

echo "== soak: ${DURATION}s, 30 % faults on 'flaky', fallback 'backup'"
BODY_MODEL=flaky timeout $((DURATION + 15)) wrk -t2 -c32 -d"${DURATION}s" --latency -s scripts/bench/post-chat.lua \
  "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" | tee "$WORK/wrk.txt"
REQUESTS=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$WORK/wrk.txt")
FAILURES=$(sed -n 's/^client_failures=\([0-9]*\)/\1/p' "$WORK/wrk.txt")

echo "== cut 20 streams mid-way, then measure the gateway's CPU for 3 s"
for _ in $(seq 1 20); do
  curl -sN -H 'x-mock-fault: cut-after=3' "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" \
    -d '{"model":"backup","stream":true,"messages":[{"role":"user","content":"hi"}]}' >/dev/null || true
done
sleep 1
ticks() { awk '{print $14 + $15}' "/proc/$GATEWAY_PID/stat"; }
HZ=$(getconf CLK_TCK)
BEFORE=$(ticks); sleep 3; AFTER=$(ticks)
IDLE_CPU_MS=$(( (AFTER - BEFORE) * 1000 / HZ ))

echo
echo "requests=$REQUESTS client_failures=$FAILURES idle_cpu_ms_over_3s=$IDLE_CPU_MS"
[ "${REQUESTS:-0}" -ge 20000 ] || { echo "FAIL: fewer than 20,000 requests" >&2; exit 1; }
[ "${FAILURES:-1}" -eq 0 ] || { echo "FAIL: client-visible failures" >&2; exit 1; }
[ "$IDLE_CPU_MS" -le 60 ] || { echo "FAIL: gateway busy after cut streams (${IDLE_CPU_MS} ms CPU in 3 s)" >&2; exit 1; }
echo "soak: 1 passed, 0 failed"
