"""Random faults of the simulated provider (x-mock-fault: errors, rate limits, cut and malformed
answers, error events), on chat and Messages, streamed or not. Every plain answer must be a
2xx or an error in its route's shape; every stream must end with [DONE] / message_stop or an
error event.

Usage: faults.py PORT COUNT SEED DEADLINE_SECONDS"""
import json
import random
import sys

from common import Findings, answer_problem, bounded, call

PORT, COUNT, SEED, DEADLINE = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
rng = random.Random(SEED)
FAULTS = ["429", "429;retry-after=0", "500", "502", "503", "529", "400", "401", "403", "404", "context-length", "cut-after=0", "cut-after=1",
          "cut-after=3", "malformed", "error-event=429", "error-event=500", "delay=20"]
UPSTREAM_MODELS = ["sim-light", "sim-mid", "sim-premium"]


def fault():
    parts = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        part = rng.choice(FAULTS)
        if rng.random() < 0.5:
            part += ";model=" + rng.choice(UPSTREAM_MODELS)
        if rng.random() < 0.3:
            part += ";times=%d;id=%d" % (rng.choice([1, 2]), rng.randrange(10**9))
        parts.append(part)
    return ",".join(parts)


def stream_problem(messages, text):
    events = [line[6:] for line in text.split("\n") if line.startswith("data: ")]
    if messages:
        types = [json.loads(event).get("type") for event in events if event.strip()]
        return None if types and types[-1] in ("message_stop", "error") else "a Messages stream that ends with %r" % (types[-1:] or None)
    last = events[-1] if events else ""
    if last == "[DONE]":
        return None
    try:
        return None if json.loads(last).get("error") else "a stream that ends without [DONE] or an error event"
    except ValueError:
        return "a stream whose last event is not JSON"


findings = Findings()
for _ in bounded(COUNT, DEADLINE):
    messages = rng.random() < 0.4
    stream = rng.random() < 0.5
    model = rng.choice(["auto", "demo-light", "demo-mid", "demo-premium"])
    prompt = [{"role": "user", "content": "Summarize: the meeting moved."}]
    if messages:
        path, body = "/v1/messages", {"model": model, "max_tokens": 64, "stream": stream, "messages": prompt}
    else:
        path, body = "/v1/chat/completions", {"model": model, "stream": stream, "messages": prompt}
        if stream and rng.random() < 0.5:
            body["stream_options"] = {"include_usage": True}
    # Most calls healthy, so that the breakers do not keep every deployment shut.
    injected = fault() if rng.random() < 0.25 else "delay=1"
    headers = {"content-type": "application/json", "x-mock-fault": injected, "anthropic-version": "2023-06-01"}
    try:
        status, text = call(PORT, "POST", path, json.dumps(body), headers)
    except Exception as error:
        findings.add("%s: no answer (%s)" % (path, type(error).__name__), injected)
        continue
    findings.count((path, stream, status))
    if status == 200 and stream:
        problem = stream_problem(messages, text)
    elif status == 200:
        document = json.loads(text)
        problem = None if ("choices" in document if not messages else document.get("type") == "message") else "a 200 that is not an answer"
    else:
        problem = answer_problem(status, text)
    if problem:
        findings.add("%s (stream %s): %s" % (path, stream, problem), "%s <- %s" % (text[-200:], injected))
sys.exit(findings.report("faults"))
