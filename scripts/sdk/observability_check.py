"""Checks a live gateway's /metrics with a real Prometheus parser, and that `switchyard report`
agrees with the ledger's own sums. Usage: observability_check.py BASE_URL SWITCHYARD_BINARY DB"""
import json
import sqlite3
import subprocess
import sys
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

base_url, binary, database = sys.argv[1:4]

# Entries reach the database within one flush interval (100 ms by default).
# Wait until the count is non-zero and has not moved for three intervals.
deadline = time.time() + 10
previous, stable = -1, 0
while True:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        count, cost, tokens_in, tokens_out = db.execute(
            "SELECT COUNT(*), TOTAL(cost_usd), TOTAL(input_tokens), TOTAL(output_tokens) FROM ledger").fetchone()
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    stable = stable + 1 if count == previous else 0
    previous = count
    if (count > 0 and stable >= 3) or time.time() > deadline:
        break
    time.sleep(0.1)
assert integrity == "ok", integrity
assert count > 0, "the ledger is empty after the SDK run"

text = urllib.request.urlopen(f"{base_url}/metrics", timeout=10).read().decode()
families = {family.name: family for family in text_string_to_metric_families(text)}
for name in ["switchyard_requests", "switchyard_tokens", "switchyard_cost_usd", "switchyard_request_duration_seconds",
             "switchyard_upstream_duration_seconds", "switchyard_gateway_overhead_seconds", "switchyard_ledger_queue_depth",
             "switchyard_circuit_breaker_state", "switchyard_escalation_rate", "switchyard_routing_effectiveness"]:
    assert name in families, f"{name} missing from /metrics; have {sorted(families)}"
requests = sum(s.value for s in families["switchyard_requests"].samples if s.name == "switchyard_requests_total")
assert requests == count, f"/metrics counts {requests} requests, the ledger {count}"
print(f"/metrics: {len(families)} metric families parse; {int(requests)} requests, as in the ledger")

report = json.loads(subprocess.run([binary, "report", "--database", database, "--format", "json"],
                                   check=True, capture_output=True, text=True).stdout)
total = report["total"]
assert total["requests"] == count, (total, count)
assert abs(total["cost_usd"] - cost) < 1e-9, (total["cost_usd"], cost)
assert total["input_tokens"] == tokens_in and total["output_tokens"] == tokens_out, (total, tokens_in, tokens_out)
print(f"report: {count} requests, ${cost:.6f}, {int(tokens_in)}+{int(tokens_out)} tokens = the ledger's sums")
