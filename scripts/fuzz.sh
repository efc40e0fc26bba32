#!/usr/bin/env bash
# Bounded fuzzing of the gateway's HTTP surface on loopback, against `switchyard serve --demo`
# (simulated providers): malformed raw HTTP, mutated chat / Messages / embeddings bodies, mutated
# admin-API and route calls, and random provider faults on plain and streamed requests. Every
# answer must be a 2xx or an error in its route's shape (never a 500, never a hang, never a body
# that is not JSON), every stream must end with [DONE] / message_stop or an error event, and the
# gateway must still answer /healthz at the end. Inputs are drawn from a fixed seed, so a failure
# can be run again.
#
# Usage: scripts/fuzz.sh [--seed N] [--quick]
#   --seed N   seed of every fuzzer (default 1)
#   --quick    a tenth of the requests (about a minute instead of three to four)
#   SWITCHYARD_BIN=path/to/switchyard  use a binary built elsewhere (default: a debug build,
#              built here if missing, so Swift's runtime checks are on)
# Not part of CI. Exits 1 naming each problem found; stops everything it starts, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_DETERMINISTIC_HASHING=1
SEED=1
SCALE=10
while [ $# -gt 0 ]; do
  case $1 in
    --seed) SEED=${2:?--seed needs a number}; shift 2 ;;
    --quick) SCALE=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $SEED =~ ^[0-9]+$ ]] || { echo "--seed takes a whole number, not '$SEED'" >&2; exit 2; }

if [ -z "${SWITCHYARD_BIN:-}" ]; then
  swift build --product switchyard >"${TMPDIR:-/tmp}/switchyard-fuzz-build.log" 2>&1 \
    || { cat "${TMPDIR:-/tmp}/switchyard-fuzz-build.log" >&2; echo "the debug build failed" >&2; exit 1; }
fi
BIN=${SWITCHYARD_BIN:-.build/debug/switchyard}
[ -x "$BIN" ] || { echo "no switchyard binary at $BIN" >&2; exit 1; }
WORK=$(mktemp -d)
GATEWAY_PID=
cleanup() {
  if [ -n "$GATEWAY_PID" ]; then kill "$GATEWAY_PID" 2>/dev/null || true; wait "$GATEWAY_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ADMIN_KEY=fuzz-admin-key-$RANDOM$RANDOM
SWITCHYARD_ADMIN_KEY=$ADMIN_KEY "$BIN" serve --demo --port "$PORT" --database "$WORK/ledger.sqlite" --log-level error \
  >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
for _ in $(seq 1 200); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/healthz" || true)" = 200 ] && break
  kill -0 "$GATEWAY_PID" 2>/dev/null || { cat "$WORK/gateway.log" >&2; echo "the gateway did not start" >&2; exit 1; }
  sleep 0.1
done

FUZZ=scripts/fuzz
FAILED=0
echo "== fuzzing http://127.0.0.1:$PORT (seed $SEED)"
python3 "$FUZZ/raw.py" "$PORT" || FAILED=1
python3 "$FUZZ/bodies.py" "$PORT" $((300 * SCALE)) "$SEED" 150 || FAILED=1
python3 "$FUZZ/admin.py" "$PORT" $((200 * SCALE)) "$SEED" 120 "$ADMIN_KEY" || FAILED=1
python3 "$FUZZ/faults.py" "$PORT" $((60 * SCALE)) "$SEED" 120 || FAILED=1
if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT/healthz" || true)" != 200 ]; then
  echo "the gateway no longer answers /healthz" >&2
  tail -20 "$WORK/gateway.log" >&2
  FAILED=1
fi
[ "$FAILED" = 0 ] && echo "== no problems found" || echo "== problems found (above)" >&2
exit "$FAILED"
