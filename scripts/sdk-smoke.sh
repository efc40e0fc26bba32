#!/usr/bin/env bash
# Starts `switchyard serve --demo` on a free port and drives it with the official OpenAI and
# Anthropic Python SDKs (installed from PyPI into a throwaway venv).
# Usage: scripts/sdk-smoke.sh [path/to/switchyard]
set -euo pipefail
cd "$(dirname "$0")/.."

BINARY=${1:-.build/debug/switchyard}
VENV=${SWITCHYARD_SDK_VENV:-.venv-sdk}
OPENAI_VERSION=3.54.0
ANTHROPIC_VERSION=2.17.0
PROMETHEUS_CLIENT_VERSION=0.21.1

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -c "import openai, sys; sys.exit(openai.__version__ != '$OPENAI_VERSION')" 2>/dev/null \
  || "$VENV/bin/pip" install --quiet --disable-pip-version-check "openai==$OPENAI_VERSION"
"$VENV/bin/python" -c "import anthropic, sys; sys.exit(anthropic.__version__ != '$ANTHROPIC_VERSION')" 2>/dev/null \
  || "$VENV/bin/pip" install --quiet --disable-pip-version-check "anthropic==$ANTHROPIC_VERSION"
"$VENV/bin/python" -c "import prometheus_client" 2>/dev/null \
  || "$VENV/bin/pip" install --quiet --disable-pip-version-check "prometheus-client==$PROMETHEUS_CLIENT_VERSION"

WORK=$(mktemp -d)
LOG="$WORK/gateway.log"
DB="$WORK/ledger.sqlite"
# The simulator is always used here, whatever provider keys the environment holds. Trace level
# and JSON lines: the most log output there is, to check no credential ever reaches it.
env -u OPENAI_API_KEY -u OLLAMA_HOST "$BINARY" serve --demo --port 0 --database "$DB" --log-level trace --log-format json >"$LOG" 2>&1 &
PID=$!
# `|| true`: with `set -e` a failing command inside the trap would turn success into exit 1.
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

PORT=""
for _ in $(seq 1 100); do
  PORT=$(sed -n 's#^Switchyard is ready on http://[^:]*:\([0-9]*\).*#\1#p' "$LOG" | head -n 1)
  [ -n "$PORT" ] && break
  kill -0 "$PID" 2>/dev/null || { cat "$LOG"; echo "gateway exited early" >&2; exit 1; }
  sleep 0.1
done
[ -n "$PORT" ] || { cat "$LOG"; echo "gateway did not start within 10 s" >&2; exit 1; }

timeout 120 "$VENV/bin/python" scripts/sdk/openai_smoke.py "http://127.0.0.1:$PORT/v1" demo-light

echo "== Anthropic Python SDK against /v1/messages"
timeout 120 "$VENV/bin/python" scripts/sdk/anthropic_smoke.py "http://127.0.0.1:$PORT" demo-light

echo "== /metrics, the ledger and switchyard report"
timeout 60 "$VENV/bin/python" scripts/sdk/observability_check.py "http://127.0.0.1:$PORT" "$BINARY" "$DB"

# Stop gracefully: the ledger writer drains before the process exits.
kill -TERM "$PID"; wait "$PID" 2>/dev/null || true
if grep -q "sk-switchyard-test" "$LOG"; then
  echo "FAIL: the client's API key appears in the gateway log" >&2; exit 1
fi
lines=$(wc -l <"$LOG")
[ "$lines" -gt 20 ] || { echo "FAIL: expected a trace-level log, got $lines lines" >&2; exit 1; }
echo "log: $lines lines at trace level, no API key material"
