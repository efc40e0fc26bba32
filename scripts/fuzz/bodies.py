"""Mutated request bodies for /v1/chat/completions, /v1/messages and /v1/embeddings: fields
dropped, retyped, repeated or made huge, bodies truncated, not UTF-8, deeply nested. Every answer
must be a 2xx or an error in its route's shape (see common.answer_problem).

Usage: bodies.py PORT COUNT SEED DEADLINE_SECONDS"""
import copy
import json
import random
import sys

from common import Findings, Mutator, answer_problem, bounded, call

PORT, COUNT, SEED, DEADLINE = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
rng = random.Random(SEED)
CHAT = {"model": "auto", "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "Summarize: the meeting moved to Tuesday."}],
        "temperature": 0.2, "max_tokens": 32, "stream": False,
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "string"}}}}}],
        "response_format": {"type": "json_object"}, "logprobs": True, "top_logprobs": 2, "stream_options": {"include_usage": True},
        "metadata": {"switchyard": {"labels": ["refund", "shipping"]}}, "n": 1, "stop": ["\n"], "user": "u1", "tool_choice": "auto"}
MESSAGES = {"model": "auto", "max_tokens": 64, "system": "be brief", "stream": False,
            "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}, {"role": "assistant", "content": "hello"}, {"role": "user", "content": "Summarize: x"}],
            "tools": [{"name": "f", "input_schema": {"type": "object"}}], "tool_choice": {"type": "auto"}, "temperature": 0.5, "stop_sequences": ["x"], "metadata": {"user_id": "u"}}
EMBEDDINGS = {"model": "auto", "input": ["hello", "world"], "encoding_format": "float"}
WEIRD = [None, True, False, 0, -1, 1e308, -1e308, 2**63, 2**64 + 1, 0.5, "", "x" * 5000, "\u0000", "\ud7ff", [], {}, [[[]]], {"a": {"b": {}}},
         "auto", "demo-light", "\U0001F980" * 100, [1, "a", None], {"role": "user"}]
mutator = Mutator(rng, WEIRD, ["extra", "model", "messages", "content", "role", "stream"], most_repeats=50)


def encoded(document):
    text = json.dumps(document)
    r = rng.random()
    if r < 0.05:
        return text[: rng.randrange(len(text) + 1)].encode()
    if r < 0.08:
        return b"\xff\xfe" + text.encode()
    if r < 0.10:
        return text.encode()[:-1] + b"\xc3"
    if r < 0.12:
        return b"[" * rng.choice([100, 10000, 200000]) + b"]" * rng.choice([0, 100])
    if r < 0.14:
        return text.replace('"model"', '"model": "a", "model"', 1).encode()
    if r < 0.16:
        return b"NaN"
    if r < 0.18:
        return b'{"model":"auto","messages":[{"role":"user","content":"\\ud800"}]}'
    return text.encode()


findings = Findings()
for _ in bounded(COUNT, DEADLINE):
    pick = rng.random()
    path, base = ("/v1/chat/completions", CHAT) if pick < 0.55 else ("/v1/messages", MESSAGES) if pick < 0.85 else ("/v1/embeddings", EMBEDDINGS)
    document = copy.deepcopy(base)
    for _ in range(rng.choice([1, 1, 2, 3, 5])):
        document = mutator.mutate(document)
    if rng.random() < 0.3 and isinstance(document, dict):
        document["stream"] = True
    body = encoded(document)
    headers = {"content-type": rng.choice(["application/json"] * 8 + ["text/plain", "application/json; charset=latin1"]), "anthropic-version": "2023-06-01"}
    if rng.random() < 0.05:
        headers["x-switchyard-session"] = rng.choice(["", "x" * 3000, "s-1"])
    if rng.random() < 0.05:
        headers["authorization"] = rng.choice(["Bearer ", "Bearer x", "Basic abc", "Bearer " + "k" * 5000])
    try:
        status, text = call(PORT, "POST", path, body, headers)
    except Exception as error:  # a hang or a dropped connection
        findings.add("%s: no answer (%s)" % (path, type(error).__name__), body[:300].decode("utf-8", "replace"))
        continue
    findings.count((path, status))
    problem = answer_problem(status, text)
    if problem:
        findings.add("%s: %s" % (path, problem), "%s <- %s" % (text[:200], body[:300].decode("utf-8", "replace")))
sys.exit(findings.report("bodies"))
