"""Shared by the fuzzers of scripts/fuzz.sh: one HTTP call, and the check every answer must pass."""
import copy
import http.client
import json
import time


def call(port, method, path, body=None, headers=None, timeout=30):
    """One request on a fresh connection: (status, text)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def bounded(count, seconds):
    """Up to `count` turns of a fuzzer's loop, ending early once `seconds` have passed."""
    started = time.monotonic()
    for _ in range(count):
        if time.monotonic() - started > seconds:
            return
        yield


def answer_problem(status, text):
    """Why an answer breaks the gateway's promise, or None: a 5xx other than a provider's
    (502, 503, 504), or an error without a JSON body that has an error message (OpenAI's
    {"error": {"message"}} or Anthropic's {"type": "error", "error": {"message"}})."""
    if status >= 500 and status not in (502, 503, 504):
        return "status %d" % status
    if status >= 400:
        try:
            error = json.loads(text).get("error")
        except (ValueError, AttributeError):
            return "error body is not JSON"
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            return "error body has no error.message"
    return None


class Findings:
    """Problems found, kept once per kind, and the statuses seen."""

    def __init__(self):
        self.problems = []
        self.seen = set()
        self.statuses = {}

    def count(self, key):
        self.statuses[key] = self.statuses.get(key, 0) + 1

    def add(self, kind, detail):
        if kind not in self.seen:
            self.seen.add(kind)
            self.problems.append("%s: %s" % (kind, detail[:500]))

    def report(self, name):
        print("%s: %d requests, %d problems" % (name, sum(self.statuses.values()), len(self.problems)))
        for problem in self.problems:
            print("  " + problem)
        return 1 if self.problems else 0


class Mutator:
    """Mutates JSON documents: drops a field, mutates it in place, swaps in an odd value
    (`odd`), adds one of `added_keys`, repeats or grows arrays (by up to `most_repeats` times)."""

    def __init__(self, rng, odd, added_keys, most_repeats):
        self.rng = rng
        self.odd = odd
        self.added_keys = added_keys
        self.most_repeats = most_repeats

    def odd_value(self):
        return copy.deepcopy(self.rng.choice(self.odd))

    def mutate(self, value):
        rng = self.rng
        if isinstance(value, dict) and value and rng.random() < 0.7:
            value = dict(value)
            key = rng.choice(list(value))
            r = rng.random()
            if r < 0.25:
                del value[key]
            elif r < 0.6:
                value[key] = self.mutate(value[key])
            elif r < 0.85:
                value[key] = self.odd_value()
            else:
                value[rng.choice(self.added_keys)] = self.odd_value()
            return value
        if isinstance(value, list) and value and rng.random() < 0.7:
            value = list(value)
            index = rng.randrange(len(value))
            r = rng.random()
            if r < 0.3:
                del value[index]
            elif r < 0.7:
                value[index] = self.mutate(value[index])
            elif r < 0.85:
                value.append(self.odd_value())
            else:
                value = value * rng.choice([2, self.most_repeats])
            return value
        return self.odd_value()
