#!/usr/bin/env bash
# Measures how well the numeric/answer gates alone predict a wrong weak-model answer on RouteLLM's
# GSM8K table (../shared/data/routellm_gsm8k): precision and recall of "gate fails" vs "Mixtral's
# answer was wrong", with confusion counts, for several gate settings.
# The numbers come from Tests/SwitchyardCoreTests/GateDatasetTests.swift.
# Usage: scripts/gate-eval.sh [extra swift test flags, e.g. --scratch-path /tmp/build]
set -uo pipefail
cd "$(dirname "$0")/.."
export SWIFT_DETERMINISTIC_HASHING=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift test --filter GateDatasetTests "$@" >"$log" 2>&1
status=$?
grep -E "GSM8K|gate fails|TP=|skipped|Test run|error:" "$log"
[ "$status" -eq 0 ] || tail -40 "$log"
exit "$status"
