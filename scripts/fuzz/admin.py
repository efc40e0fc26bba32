"""Mutated calls to the admin API (tenants, keys, budgets, review queue, audit) and the other
routes (/v1/route, /v1/decisions, /v1/usage, ...), with odd ids and query strings. Every answer
must be a 2xx or an OpenAI-shaped error (see common.answer_problem).

Usage: admin.py PORT COUNT SEED DEADLINE_SECONDS ADMIN_KEY"""
import copy
import json
import random
import sys
import urllib.parse

from common import Findings, Mutator, answer_problem, bounded, call

PORT, COUNT, SEED, DEADLINE, ADMIN = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
rng = random.Random(SEED)
WEIRD = [None, True, False, 0, -1, 1.5, 1e308, -1e308, 2**63, "", "x" * 3000, "\u0000", "a/b", "../x", "%2F", "\U0001F980", [], {}, [[]], {"a": {}},
         "monthly", "daily", "pro", "enterprise", "free", "2026-01-01T00:00:00Z", "not-a-date", ["light"], ["nope"]]
TENANT = {"id": "t1", "name": "T", "user_tier": "pro", "region": "eu", "budgets": [{"period": "monthly", "usd": 10, "tokens": 1000}], "limits": {"rpm": 10, "tpm": 1000}}
KEY = {"tenant": "t1", "name": "k", "expires_at": "2030-01-01T00:00:00Z", "allowed_models": ["demo-light"], "allowed_tiers": ["light"],
       "budgets": [{"period": "daily", "usd": 1}], "limits": {"rpm": 5}}
BUDGETS = {"tenant": "t1", "budgets": [{"period": "monthly", "usd": 5}]}
RESOLVE = {"verdict": "correct", "note": "ok"}
ROUTE = {"model": "auto", "messages": [{"role": "user", "content": "Summarize: x"}]}
mutator = Mutator(rng, WEIRD, ["id", "tenant", "key", "budgets", "limits", "extra"], most_repeats=30)


def odd_id():
    return urllib.parse.quote(rng.choice(["t1", "t2", "", "x" * 500, "a b", "\u00e9", "..", "%00", "t1/x", "null", "0"]), safe="")


def mutated(document):
    return json.dumps(mutator.mutate(copy.deepcopy(document)))


findings = Findings()
for _ in bounded(COUNT, DEADLINE):
    r = rng.random()
    if r < 0.2:
        method, path, body = "POST", "/admin/tenants", mutated(TENANT)
    elif r < 0.3:
        method, path, body = "PATCH", "/admin/tenants/" + odd_id(), mutated(TENANT)
    elif r < 0.45:
        method, path, body = "POST", "/admin/keys", mutated(KEY)
    elif r < 0.5:
        method, path, body = "PATCH", "/admin/keys/" + odd_id(), mutated(KEY)
    elif r < 0.6:
        method, path, body = rng.choice(["POST", "PATCH"]), "/admin/budgets", mutated(BUDGETS)
    elif r < 0.63:
        method, path, body = "DELETE", "/admin/" + rng.choice(["tenants/", "keys/", "budgets/tenants/", "budgets/keys/", "budgets/x/"]) + odd_id(), None
    elif r < 0.7:
        method, body = "GET", None
        path = "/admin/" + rng.choice(["tenants", "keys", "budgets", "audit", "review", "stats", "tenants/" + odd_id(), "keys/" + odd_id()]) + \
            rng.choice(["", "?limit=-5", "?limit=abc", "?limit=99999999999999999999", "?tenant=" + odd_id(), "?all=1", "?since=zzz"])
    elif r < 0.75:
        method, path, body = "POST", "/admin/review/" + odd_id() + "/resolve", mutated(RESOLVE)
    elif r < 0.8:
        method, path, body = "GET", "/v1/decisions/" + odd_id(), None
    elif r < 0.85:
        method, path, body = rng.choice(["GET", "HEAD"]), rng.choice(["/v1/usage", "/v1/models", "/readyz", "/metrics", "/healthz"]), None
    elif r < 0.95:
        method, path, body = "POST", "/v1/route", mutated(ROUTE)
    else:
        method, path, body = rng.choice(["GET", "POST"]), "/admin/tenants", "{" + "x" * rng.choice([1, 100])
    headers = {"content-type": "application/json"}
    if rng.random() < 0.9:
        headers["authorization"] = "Bearer " + (ADMIN if rng.random() < 0.95 else "wrong-key-wrong-key")
    try:
        status, text = call(PORT, method, path, body, headers)
    except Exception as error:
        findings.add("%s %s: no answer (%s)" % (method, path[:40], type(error).__name__), body or "")
        continue
    findings.count((method, path.split("?")[0][:30], status))
    # (HEAD's answer has no body to check; raw.py checks that none is sent.)
    problem = None if method == "HEAD" else answer_problem(status, text)
    if problem:
        findings.add("%s %s: %s" % (method, path.split("?")[0][:40], problem), "%s <- %s" % (text[:200], (body or "")[:300]))
sys.exit(findings.report("admin"))
