#!/usr/bin/env bash
# Kill -9 the gateway under load, restart it, and check the ledger survived within its bound.
# Usage: scripts/crash-test.sh [path/to/switchyard] [--seconds N] [--threads N]
set -euo pipefail
cd "$(dirname "$0")/.."
BINARY=${1:-.build/debug/switchyard}
shift || true
exec timeout 120 python3 scripts/crash/crash_test.py "$BINARY" "$@"
