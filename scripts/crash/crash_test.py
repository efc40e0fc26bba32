"""Kill -9 the gateway under load, restart it on the same database, and check what was lost.

Every response the client received with status 200 names its decision id; after the crash and a
restart, the ledger must open cleanly (integrity_check ok, migrations fine) and every acknowledged
request missing from it must have been answered within the last flush interval (plus one batch
write) before the kill: the documented bound.

Usage: crash_test.py SWITCHYARD_BINARY [--seconds 3] [--threads 8]
"""
import argparse
import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

FLUSH_INTERVAL = 0.1  # ledger.flush_interval below
MARGIN = 0.5          # the batch being written and the one queued behind it, on a busy 2-core machine in a debug build

parser = argparse.ArgumentParser()
parser.add_argument("binary")
parser.add_argument("--seconds", type=float, default=3.0, help="load before the kill")
parser.add_argument("--threads", type=int, default=8)
args = parser.parse_args()

work = tempfile.mkdtemp(prefix="switchyard-crash-")
database = os.path.join(work, "ledger.sqlite")
processes = []


def start(command, pattern, log_name):
    log = open(os.path.join(work, log_name), "w+")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    processes.append(process)
    deadline = time.time() + 30
    while time.time() < deadline:
        log.seek(0)
        match = re.search(pattern, log.read())
        if match:
            return process, int(match.group(1))
        if process.poll() is not None:
            log.seek(0)
            sys.exit(f"{command[1]} exited early:\n{log.read()}")
        time.sleep(0.05)
    sys.exit(f"{command[1]} did not start")


def cleanup():
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


try:
    _, mock_port = start([args.binary, "mock-provider", "--port", "0", "--instant", "--log-level", "error"],
                         r"listening on http://127\.0\.0\.1:(\d+)", "mock.log")
    config = os.path.join(work, "switchyard.yaml")
    with open(config, "w") as file:
        file.write(f"""
server: {{ host: 127.0.0.1, port: 0 }}
storage: {{ sqlite: {database} }}
ledger: {{ flush_interval: {int(FLUSH_INTERVAL * 1000)}ms }}
tiers: [light, premium]
providers:
  - {{ name: sim, base_url: "http://127.0.0.1:{mock_port}/v1" }}
models:
  - {{ name: cheap, provider: sim, upstream_model: sim-light, tier: light, price: {{ input: 0.15, output: 0.60 }} }}
  - {{ name: best, provider: sim, upstream_model: sim-premium, tier: premium, price: {{ input: 2.50, output: 10.00 }} }}
""")
    serve = [args.binary, "serve", "--config", config, "--log-level", "error"]
    gateway, port = start(serve, r"ready on http://[^:]+:(\d+)", "gateway-1.log")

    acknowledged = {}  # decision id -> time the 200 arrived
    lock = threading.Lock()
    stop = threading.Event()
    body = json.dumps({"model": "auto", "messages": [{"role": "user", "content": "Summarize: the meeting moved to Tuesday."}]})

    def load():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        while not stop.is_set():
            try:
                connection.request("POST", "/v1/chat/completions", body, {"content-type": "application/json"})
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    with lock:
                        acknowledged[response.getheader("x-switchyard-decision-id")] = time.time()
            except (OSError, http.client.HTTPException):
                if stop.is_set():
                    return
                time.sleep(0.01)
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)

    threads = [threading.Thread(target=load) for _ in range(args.threads)]
    started = time.time()
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    os.kill(gateway.pid, signal.SIGKILL)
    killed = time.time()
    gateway.wait()
    stop.set()
    for thread in threads:
        thread.join()

    # Restart on the same file: it must open, migrate and serve.
    restarted, port = start(serve, r"ready on http://[^:]+:(\d+)", "gateway-2.log")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("POST", "/v1/chat/completions", body, {"content-type": "application/json"})
    after = connection.getresponse()
    after.read()
    assert after.status == 200, f"the restarted gateway answered {after.status}"
    restarted.send_signal(signal.SIGTERM)
    restarted.wait(timeout=30)

    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        stored = {row[0] for row in db.execute("SELECT decision_id FROM ledger")}
    lost = [(decision, killed - at) for decision, at in acknowledged.items() if decision not in stored]
    worst = max((age for _, age in lost), default=0.0)
    rate = len(acknowledged) / (killed - started)
    bound = FLUSH_INTERVAL + MARGIN
    print(f"crash test: {len(acknowledged)} requests acknowledged in {killed - started:.1f} s ({rate:.0f}/s), "
          f"kill -9, restart: integrity {integrity}, {len(stored)} entries, {len(lost)} acknowledged entries lost "
          f"(bound: those answered in the last {bound * 1000:.0f} ms ≈ {rate * bound:.0f}); "
          f"oldest lost was answered {worst * 1000:.0f} ms before the kill")
    assert integrity == "ok", integrity
    assert after.getheader("x-switchyard-decision-id") in stored, "the post-restart request is missing (graceful shutdown must drain)"
    assert worst <= bound, f"an entry acknowledged {worst * 1000:.0f} ms before the kill was lost (bound {bound * 1000:.0f} ms)"
finally:
    cleanup()
    subprocess.run(["rm", "-rf", work])
