#!/usr/bin/env python3
"""Helpers for scripts/bench/run.sh (standard library only).

  bench.py proc PID                 cpu_ticks=… rss_kb=… hwm_kb=… for PID and its descendants
  bench.py coldstart --trials N CMD…
                                    starts CMD (with {port} and {db} filled in) N times, polls
                                    GET /healthz every 5 ms, prints the times to the first 200 (ms)
  bench.py ttft --url URL --model M --requests N
                                    sequential streamed requests on one keep-alive connection;
                                    prints time to the first SSE data chunk and to the end (µs)
  bench.py meta KEY=VALUE…           the machine description (JSON) with extra fields
  bench.py report --rows FILE --meta FILE --json OUT [--micro FILE]
                                    the table (stdout) and the results JSON, with the verdict
                                    on each of issue #10's targets
  bench.py targets RESULTS.json     the verdict on each target for a results file already written
"""
import argparse
import platform
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BODY = ('{"model":"%s","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user",'
        '"content":"Summarize this email in one sentence: the quarterly review moved to Thursday at 10am, '
        'bring the updated budget numbers."}]}')


# ---------------------------------------------------------------------------------------- /proc
def descendants(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError):
            pass
    result, stack = [], [pid]
    while stack:
        p = stack.pop()
        result.append(p)
        stack.extend(children.get(p, []))
    return result


def proc_sample(pid):
    ticks = rss = hwm = 0
    for p in descendants(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15)
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
                    elif line.startswith("VmHWM:"):
                        hwm += int(line.split()[1])
        except (OSError, IndexError):
            pass
    return ticks, rss, hwm


def cmd_proc(args):
    ticks, rss, hwm = proc_sample(args.pid)
    print(f"cpu_ticks={ticks} rss_kb={rss} hwm_kb={hwm}")


# ---------------------------------------------------------------------------------- cold start
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthz_ok(port, path="/healthz"):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def cmd_coldstart(args):
    results = []
    for _ in range(args.trials):
        port = free_port()
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [c.replace("{port}", str(port)).replace("{db}", os.path.join(tmp, "cold.sqlite")) for c in args.cmd]
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elapsed = None
            deadline = start + args.timeout
            while time.perf_counter() < deadline and proc.poll() is None:
                if healthz_ok(port, args.path):
                    elapsed = (time.perf_counter() - start) * 1000
                    break
                time.sleep(0.005)
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if elapsed is None:
            print("coldstart: no 200 from " + args.path + " within %.0f s" % args.timeout, file=sys.stderr)
            sys.exit(1)
        results.append(elapsed)
    print(" ".join("%.1f" % r for r in results))


# ---------------------------------------------------------------------------------------- TTFT
class Conn:
    """Minimal HTTP/1.1 keep-alive client that timestamps the first body bytes of a stream."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("closed")
        self.buf += data

    def request(self, path, body):
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        start = time.perf_counter_ns()
        self.sock.sendall(head + body)
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        header, self.buf = self.buf.split(b"\r\n\r\n", 1)
        status = int(header.split(b" ", 2)[1])
        headers = header.lower()
        first = None
        if b"transfer-encoding: chunked" in headers:
            # Chunked: read chunks until the terminating zero-length chunk.
            body_bytes = b""
            while True:
                while b"\r\n" not in self.buf:
                    self._fill()
                size_line, rest = self.buf.split(b"\r\n", 1)
                size = int(size_line.split(b";")[0], 16)
                while len(rest) < size + 2:
                    self._fill()
                    size_line, rest = self.buf.split(b"\r\n", 1)
                chunk, self.buf = rest[:size], rest[size + 2:]
                if size == 0:
                    break
                body_bytes += chunk
                if first is None and b"data:" in body_bytes:
                    first = time.perf_counter_ns()
        else:
            match = re.search(rb"content-length: *(\d+)", headers)
            length = int(match.group(1)) if match else 0
            while len(self.buf) < length:
                self._fill()
                if first is None and b"data:" in self.buf:
                    first = time.perf_counter_ns()
            body_bytes, self.buf = self.buf[:length], self.buf[length:]
            if first is None:
                first = time.perf_counter_ns()
        end = time.perf_counter_ns()
        if first is None:
            first = end
        return status, (first - start) / 1000, (end - start) / 1000, body_bytes


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def cmd_ttft(args):
    match = re.match(r"http://([^:/]+):(\d+)(/.*)", args.url)
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    conn = Conn(host, port)
    body = (BODY % args.model).encode()
    ttft, total, errors = [], [], 0
    warmup = min(50, args.requests // 5)
    deadline = time.monotonic() + args.max_seconds
    for i in range(args.requests + warmup):
        if time.monotonic() > deadline:
            break
        status, first, end, data = conn.request(path, body)
        if status != 200 or b"[DONE]" not in data:
            errors += 1
            continue
        if i >= warmup:
            ttft.append(first)
            total.append(end)
    print(json.dumps({"requests": len(ttft), "errors": errors,
                      "ttft_p50_us": round(percentile(ttft, 50), 1), "ttft_p90_us": round(percentile(ttft, 90), 1),
                      "ttft_p99_us": round(percentile(ttft, 99), 1),
                      "total_p50_us": round(percentile(total, 50), 1), "total_p99_us": round(percentile(total, 99), 1)}))


# ---------------------------------------------------------------------------------------- meta
def run_quiet(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None


def read_text(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def idle_policy():
    """How idle CPUs wait: it sets what a wake-up costs, so most of the latency added at c=1.

    On a KVM guest with the `haltpoll` driver, a guest poll time of 0 halts an idle vCPU at
    once, and every wake-up of it is an exit to the hypervisor."""
    poll_ns = read_text("/sys/module/haltpoll/parameters/guest_halt_poll_ns")
    return {
        "cpuidle_driver": read_text("/sys/devices/system/cpu/cpuidle/current_driver"),
        "cpuidle_governor": read_text("/sys/devices/system/cpu/cpuidle/current_governor"),
        "haltpoll_guest_poll_ns": int(poll_ns) if poll_ns and poll_ns.isdigit() else None,
    }


def cmd_meta(args):
    cpu_model = None
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    swift = run_quiet(["swift", "--version"])
    commit = run_quiet(["git", "rev-parse", "HEAD"])
    dirty = run_quiet(["git", "status", "--porcelain", "--untracked-files=no"])
    wrk = run_quiet(["sh", "-c", "wrk -v 2>&1 | head -1"])
    meta = {
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "mem_total_mb": mem_kb // 1024,
        "kernel": platform.release(),
        "os": run_quiet(["sh", "-c", ". /etc/os-release 2>/dev/null && echo $PRETTY_NAME"]),
        "swift_version": swift.splitlines()[0] if swift else None,
        "git_commit": commit,
        "git_dirty": bool(dirty),
        "wrk": wrk,
        "loadavg_start": open("/proc/loadavg").read().split()[:3],
        "idle": idle_policy(),
    }
    for item in args.fields:
        key, _, value = item.partition("=")
        try:
            meta[key] = json.loads(value)
        except ValueError:
            meta[key] = value
    print(json.dumps(meta, indent=2))


# -------------------------------------------------------------------------------------- report
def parse_rows(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def fmt_ms(us):
    return "%.2f" % (us / 1000) if us < 100_000 else "%.0f" % (us / 1000)


def micro_numbers(path):
    """Wall-clock p50/p99 (µs) of each benchmark in the benchmark plugin's markdown output:
    a "### NAME" heading, then a pipe table with a "Time (wall clock) (UNIT)" row."""
    if not path or not os.path.exists(path):
        return {}
    scale = {"ns": 0.001, "μs": 1.0, "µs": 1.0, "us": 1.0, "ms": 1000.0, "s": 1e6}
    found, current, header = {}, None, None
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.strip()
        if line.startswith("### "):
            current, header = line[4:].strip(), None
            continue
        if not current or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if "p50" in cells and "p99" in cells:
            header = cells
            continue
        if header and cells[0].startswith("Time (wall clock)"):
            units = re.findall(r"\(([^()]+)\)", cells[0])
            unit = units[-1] if len(units) > 1 else "ns"
            factor = scale.get(unit)
            if factor is None:
                continue
            try:
                values = {h: float(c.replace(",", "")) * factor for h, c in zip(header, cells) if h.startswith("p")}
            except ValueError:
                continue
            found[current] = {"p50_us": round(values["p50"], 3), "p99_us": round(values["p99"], 3),
                              "p100_us": round(values.get("p100", 0), 3)}
    return found


#: Machine states a target may be measured in besides the default, as the suffix of its name.
IDLE_STATES = ("pmqos", "haltpoll")


def baseline(target):
    """The direct target a target's added latency is measured against: the one measured in the
    same machine state ('switchyard-pmqos' and 'floor-nginx-pmqos' against 'direct-pmqos',
    'switchyard-haltpoll' against 'direct-haltpoll'), else 'direct'."""
    for state in IDLE_STATES:
        if target.endswith("-" + state):
            return "direct-" + state
    return "direct"


def round_of(r):
    """A wrk row's round: 1 but in the CPU scenarios' later rounds, and for runs recorded before
    rounds, which have no `round`."""
    return r.get("round", 1)


def round_runs(runs, target, scenario, concurrency):
    """Every round's wrk row of `target` for `scenario` at `concurrency`, in round order."""
    rows = [r for r in runs if r["target"] == target and r["scenario"] == scenario and r["concurrency"] == concurrency]
    return sorted(rows, key=round_of)


def find_run(runs, target, scenario, concurrency):
    """The wrk row of `target` for `scenario` at `concurrency` (its first round), or None if the
    run has none."""
    return next((r for r in round_runs(runs, target, scenario, concurrency) if round_of(r) == 1), None)


def upstream_cpu_per_request(r):
    """The upstream's CPU per request in the same seconds as a wrk row: it served the same
    requests, so it moves with the host's speed as the gateway's does."""
    return r["upstream_cpu_us"] / r["requests"] if r.get("upstream_cpu_us") is not None and r["requests"] else None


def cmd_report(args):
    meta = json.load(open(args.meta))
    meta["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    rows = parse_rows(args.rows)
    runs = [r for r in rows if r.get("kind") == "wrk"]
    extras = {r["kind"]: r for r in rows if r.get("kind") != "wrk"}
    ttft = [r for r in rows if r.get("kind") == "ttft"]

    def find(target, scenario, c):
        return find_run(runs, target, scenario, c)

    for r in runs:
        r["rps"] = r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0
        r["cpu_us_per_request"] = (r["cpu_us"] / r["requests"]) if r["requests"] and r.get("cpu_us") is not None else None
        # Streams and Messages requests are compared with the same kind sent to the upstream itself.
        base_scenario = r["scenario"] if r["scenario"] in ("stream", "messages") else "explicit"
        base = find(baseline(r["target"]), base_scenario, r["concurrency"]) if not r["target"].startswith("direct") else None
        if base and base["requests"] and r["requests"]:
            r["added_p50_us"] = r["p50_us"] - base["p50_us"]
            r["added_p99_us"] = r["p99_us"] - base["p99_us"]

    lines = []
    head = ["scenario", "c", "target", "req/s", "p50 ms", "p90 ms", "p99 ms", "added p50 µs", "added p99 µs",
            "CPU µs/req", "upstream CPU µs/req", "peak RSS MB", "errors", "load1", "steal ms"]
    table = [head]
    for r in runs:
        upstream = upstream_cpu_per_request(r)
        table.append([
            r["scenario"], str(r["concurrency"]), r["target"] + ("" if round_of(r) == 1 else " #%d" % round_of(r)),
            "%.0f" % r["rps"], fmt_ms(r["p50_us"]), fmt_ms(r["p90_us"]),
            fmt_ms(r["p99_us"]),
            "%+.0f" % r["added_p50_us"] if "added_p50_us" in r else "-",
            "%+.0f" % r["added_p99_us"] if "added_p99_us" in r else "-",
            "%.0f" % r["cpu_us_per_request"] if r.get("cpu_us_per_request") is not None else "-",
            "%.0f" % upstream if upstream is not None else "-",
            "%.1f" % (r["hwm_kb"] / 1024) if r.get("hwm_kb") else "-",
            str(r["errors"] + r["non2xx"]),
            "%.2f" % r["load1"],
            str(r["steal_ms"]) if r.get("steal_ms") is not None else "-",
        ])
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for i, row in enumerate(table):
        lines.append("  ".join(cell.rjust(widths[j]) if j >= 1 else cell.ljust(widths[j]) for j, cell in enumerate(row)))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))

    ratios = []
    for r in runs:
        if r["target"] != "switchyard" or round_of(r) != 1:
            continue
        peer = find("litellm", r["scenario"], r["concurrency"])
        if not peer:
            continue
        ratio = {"scenario": r["scenario"], "concurrency": r["concurrency"],
                 "rps": r["rps"] / peer["rps"] if peer["rps"] else None,
                 "p50": r["p50_us"] / peer["p50_us"] if peer["p50_us"] else None,
                 "added_p50": (r["added_p50_us"] / peer["added_p50_us"]) if peer.get("added_p50_us") else None,
                 "cpu": (r["cpu_us_per_request"] / peer["cpu_us_per_request"]) if peer.get("cpu_us_per_request") else None,
                 "rss": (r["hwm_kb"] / peer["hwm_kb"]) if peer.get("hwm_kb") else None}
        ratios.append(ratio)
    if ratios:
        lines.append("")
        lines.append("Switchyard ÷ LiteLLM (same upstream, same run; 'auto' is a plain model alias on LiteLLM):")
        rhead = ["scenario", "c", "req/s ×", "p50 ×", "added p50 ×", "CPU/req ×", "peak RSS ×"]
        rtable = [rhead]
        for x in ratios:
            def f(v, digits=3):
                return "-" if v is None else ("%.*f" % (digits, v))
            rtable.append([x["scenario"], str(x["concurrency"]), f(x["rps"], 1), f(x["p50"]), f(x["added_p50"]), f(x["cpu"]), f(x["rss"])])
        rwidths = [max(len(row[i]) for row in rtable) for i in range(len(rhead))]
        for i, row in enumerate(rtable):
            lines.append("  ".join(c.rjust(rwidths[j]) if j >= 1 else c.ljust(rwidths[j]) for j, c in enumerate(row)))
            if i == 0:
                lines.append("  ".join("-" * w for w in rwidths))

    # The host's speed moves whole runs by 30-60 %; the bare SwiftNIO floor, measured in the same
    # run on the same core, moves with it, so this ratio compares runs made in different periods.
    over_floor = []
    for r in runs:
        floor = find("floor-nio", "explicit", r["concurrency"])
        if r["target"] != "switchyard" or r["scenario"] == "stream" or round_of(r) != 1 or not floor:
            continue
        if r.get("cpu_us_per_request") and floor.get("cpu_us_per_request"):
            over_floor.append({"scenario": r["scenario"], "concurrency": r["concurrency"],
                               "cpu": r["cpu_us_per_request"] / floor["cpu_us_per_request"]})
    if over_floor:
        lines.append("")
        lines.append("Switchyard's CPU per request ÷ floor-nio's (explicit, same concurrency, same run): "
                     + ", ".join("%s c=%d %.2f×" % (x["scenario"], x["concurrency"], x["cpu"]) for x in over_floor))

    lines.append("")
    for t in ttft:
        lines.append("streaming TTFT, c=1, %-20s p50 %7.0f µs  p99 %7.0f µs  (%d requests)"
                     % (t["target"], t["ttft_p50_us"], t["ttft_p99_us"], t["requests"]))
    for t in ttft:
        if t["target"].startswith("direct"):
            continue
        direct_ttft = next((d for d in ttft if d["target"] == baseline(t["target"])), None)
        if direct_ttft:
            t["added_ttft_p50_us"] = t["ttft_p50_us"] - direct_ttft["ttft_p50_us"]
            t["added_ttft_p99_us"] = t["ttft_p99_us"] - direct_ttft["ttft_p99_us"]
            lines.append("added TTFT, c=1, %-20s p50 %+7.0f µs  p99 %+7.0f µs"
                         % (t["target"], t["added_ttft_p50_us"], t["added_ttft_p99_us"]))
    for target in ("switchyard", "litellm"):
        cs = extras.get("coldstart-" + target)
        if cs:
            lines.append("cold start to first 200 on /healthz, %-10s median %.0f ms (min %.0f, max %.0f; %d starts)"
                         % (target, statistics.median(cs["ms"]), min(cs["ms"]), max(cs["ms"]), len(cs["ms"])))
        idle = extras.get("idle-" + target)
        if idle:
            lines.append("RSS, %-10s idle after start %.1f MB, after the load %.1f MB, peak %.1f MB"
                         % (target, idle["idle_rss_kb"] / 1024, idle.get("final_rss_kb", 0) / 1024, idle.get("final_hwm_kb", 0) / 1024))
    if "pmqos-skipped" in extras:
        lines.append("idle CPUs polling: " + extras["pmqos-skipped"]["reason"])
    if "haltpoll" in extras:
        lines.append("the *-haltpoll targets ran with haltpoll's guest poll time at %d ns (put back after)"
                     % extras["haltpoll"]["guest_halt_poll_ns"])
    if "floor-nginx-skipped" in extras:
        lines.append("floor-nginx: " + extras["floor-nginx-skipped"]["reason"])
    if "peer-skipped" in extras:
        lines.append("peer: " + extras["peer-skipped"]["reason"])
    streams = [r for r in rows if r.get("kind") == "streams"]
    for s in streams:
        line = ("%d concurrent streams, %.0f s, %-10s completed %d, failed %d, chunks %d, gap p50 %.0f ms p99 %.0f ms max %.0f ms, "
                "stalls (> %.0f ms + %.0f ms) %d"
                % (s["streams"], s["duration_s"], s["target"], s["completed"], s["failed"] + s["connect_errors"], s["chunks"],
                   s["p50_gap_ms"], s["p99_gap_ms"], s["max_gap_ms"], s["interval_ms"], s["stall_ms"], s["stalls"]))
        if s.get("hwm_kb"):
            line += ", RSS idle %.1f MB, peak %.1f MB" % (s["idle_rss_kb"] / 1024, s["hwm_kb"] / 1024)
        if "client_max_lag_ms" in s:
            line += ", the client's own loop up to %.0f ms late, steal %s" % (s["client_max_lag_ms"], steal_text(s["steal_ms"]))
        lines.append(line)
        for moment in s.get("stall_moments", [])[:3]:
            lines.append("   %d stalls ending at %d s: %s" % (moment["stalls"], moment["at_s"], moment_text(moment)))

    micro = micro_numbers(args.micro)
    if micro:
        lines.append("")
        for name, v in micro.items():
            lines.append("micro: %-48s p50 %9.2f µs  p99 %9.2f µs" % (name, v["p50_us"], v["p99_us"]))

    coldstart = {k[len("coldstart-"):]: v["ms"] for k, v in extras.items() if k.startswith("coldstart-")}
    rss = {k[len("idle-"):]: v for k, v in extras.items() if k.startswith("idle-")}
    verdicts = target_verdicts(runs, ttft, streams, rss, coldstart)
    if verdicts:
        lines.append("")
        lines.extend(verdict_lines(verdicts))

    lines.append("")
    lines.append("machine: %s; %s CPUs; kernel %s; %s; load average %s at start, %s at end"
                 % (meta.get("cpu_model"), meta.get("nproc"), meta.get("kernel"), meta.get("swift_version"),
                    meta.get("loadavg_start"), meta.get("loadavg_end")))
    idle = meta.get("idle") or {}
    if idle.get("cpuidle_driver"):
        poll = idle.get("haltpoll_guest_poll_ns")
        lines.append("idle CPUs: cpuidle driver %s, governor %s%s"
                     % (idle.get("cpuidle_driver"), idle.get("cpuidle_governor"),
                        "" if poll is None else ", haltpoll guest poll %d ns" % poll))
    text = "\n".join(lines)
    print(text)

    document = {"meta": meta, "runs": runs, "ttft": ttft, "ratios_switchyard_over_litellm": ratios,
                "cpu_over_floor_nio": over_floor,
                "coldstart_ms": coldstart, "rss": rss, "targets": verdicts,
                "peer": extras.get("peer-skipped", {}).get("reason") or ("litellm" if ratios else None),
                "streams": streams,
                "haltpoll_guest_poll_ns": extras.get("haltpoll", {}).get("guest_halt_poll_ns"),
                "micro": micro, "micro_output": os.path.basename(args.micro) if args.micro and os.path.exists(args.micro) else None,
                "table": text}
    with open(args.json, "w") as f:
        json.dump(document, f, indent=2, ensure_ascii=False)
        f.write("\n")


# ---------------------------------------------------------------------------------------- targets
# Issue #10's targets (release build, this 2-core machine, the gateway pinned to one core).
CPU_LIMIT_US = 100
C1_P50_LIMIT_US = 150
C1_P99_LIMIT_US = 500
TTFT_LIMIT_US = 200
STALL_TARGET = "no stall > 100 ms"
RSS_IDLE_LIMIT_MB = 60
RSS_STREAMS_LIMIT_MB = 150
COLDSTART_LIMIT_MS = 300

# The idle states the c=1 latencies are judged in (see run.sh's --idle-poll and the key).
STATE_NAMES = {None: None, "": "default idle policy", "pmqos": "server.cpu_latency_limit_us: 0",
               "haltpoll": "haltpoll guest poll time"}


def host_speed(runs, concurrency):
    """How fast the shared host ran around a CPU verdict: floor-nio's CPU per request at the same
    concurrency and the direct run's requests a second (both move with the host, not the code)."""
    parts = []
    floor = find_run(runs, "floor-nio", "explicit", concurrency)
    if floor and floor.get("cpu_us_per_request") is not None:
        parts.append("floor-nio %.0f µs" % floor["cpu_us_per_request"])
    direct = find_run(runs, "direct", "explicit", concurrency)
    if direct and direct.get("rps"):
        parts.append("direct %.0f req/s" % direct["rps"])
    return ", ".join(parts) or None


def rounds_text(rounds):
    """Each round's CPU per request with the upstream's in the same seconds, e.g. `rounds in µs
    (upstream's): auto 131 (95), 90 (64)`: a round slow for both was the host's, not the gateway's."""
    def one(r):
        upstream = upstream_cpu_per_request(r)
        return "%.0f" % r["cpu_us_per_request"] + ("" if upstream is None else " (%.0f)" % upstream)
    return "rounds in µs (upstream's): " + "; ".join("%s %s" % (sc, ", ".join(one(r) for r in rows))
                                                     for sc, rows in rounds.items())


def steal_text(steal_ms):
    """Steal per CPU, e.g. `cpu0 120 ms, cpu1 0 ms`."""
    return ", ".join("%s %d ms" % (cpu, ms) for cpu, ms in sorted(steal_ms.items())) or "not read"


def moment_text(moment):
    """A second of the streams run with stalls: how late the client itself ran, and the steal,
    over that second and the one before."""
    return "the client's own loop up to %.0f ms late, steal %s" % (moment["client_lag_ms"], steal_text(moment["steal_ms"]))


def c1_cpu_text(runs, suffix):
    """CPU per request at c=1 in one idle state, the gateway's and nginx's, e.g. `CPU per request:
    explicit 215 µs, auto 223 µs, floor-nginx 55 µs`. A CPU that halts while it waits serves each
    request cold: the same work costs both of them about twice what it does with idle CPUs polling."""
    parts = ["%s %.0f µs" % (name, r["cpu_us_per_request"])
             for name, r in (("explicit", find_run(runs, "switchyard" + suffix, "explicit", 1)),
                             ("auto", find_run(runs, "switchyard" + suffix, "auto", 1)),
                             ("floor-nginx", find_run(runs, "floor-nginx" + suffix, "explicit", 1)))
             if r and r.get("cpu_us_per_request") is not None]
    return ("CPU per request: " + ", ".join(parts)) if parts else None


def target_verdicts(runs, ttft, streams, rss, coldstart):
    """One verdict per target and idle state that the run measured: what it measured (`values`,
    in `unit`), the limit, whether it held, and, for the latencies at c=1, what nginx added in the
    same state (the cost of the hop alone)."""
    def find(target, scenario, c):
        return find_run(runs, target, scenario, c)

    verdicts = []

    def add(name, limit, values, unit, met, state=None, reference=None):
        verdicts.append({"target": name, "limit": limit, "state": STATE_NAMES[state], "values": values, "unit": unit,
                         "met": met, "reference": reference})

    for c in (32, 128):
        # Each scenario's median over its rounds (one round in runs recorded before rounds).
        rounds = {sc: [r for r in round_runs(runs, "switchyard", sc, c) if r.get("cpu_us_per_request") is not None]
                  for sc in ("explicit", "auto")}
        rounds = {sc: rows for sc, rows in rounds.items() if rows}
        if rounds:
            values = {sc: statistics.median(r["cpu_us_per_request"] for r in rows) for sc, rows in rounds.items()}
            most = max(len(rows) for rows in rounds.values())
            name = "CPU per request at c=%d" % c + (", median of %d rounds" % most if most > 1 else "")
            reference = host_speed(runs, c)
            if most > 1:
                reference = "; ".join([rounds_text(rounds)] + ([reference] if reference else []))
            add(name, "≤ %d µs" % CPU_LIMIT_US, values, "µs", all(v <= CPU_LIMIT_US for v in values.values()),
                reference=reference)
    for state in ("",) + IDLE_STATES:
        suffix = "-" + state if state else ""
        for key, limit, label in (("added_p50_us", C1_P50_LIMIT_US, "added latency at c=1, p50"),
                                  ("added_p99_us", C1_P99_LIMIT_US, "added latency at c=1, p99")):
            values = {sc: r[key] for sc in ("explicit", "auto") for r in [find("switchyard" + suffix, sc, 1)] if r and key in r}
            if values:
                # What the hop alone adds (nginx), and the frameworks' floor (measured in the
                # default state only); with the p50, what each request cost the CPU in this state.
                floors = ", ".join("%s %+.0f µs" % (name, r[key]) for name in ("floor-nginx", "floor-nio")
                                   for r in [find(name + suffix, "explicit", 1)] if r and key in r)
                cpu = c1_cpu_text(runs, suffix) if key == "added_p50_us" else None
                reference = "; ".join(part for part in (floors, cpu) if part) or None
                add(label, "≤ %d µs" % limit, values, "+µs", all(v <= limit for v in values.values()), state, reference)
        t = next((t for t in ttft if t["target"] == "switchyard" + suffix and "added_ttft_p50_us" in t), None)
        if t:
            nginx_ttft = next((n for n in ttft if n["target"] == "floor-nginx" + suffix and "added_ttft_p50_us" in n), None)
            reference = ("floor-nginx %+.0f µs" % nginx_ttft["added_ttft_p50_us"]) if nginx_ttft else None
            add("added time to first token at c=1, p50", "≤ %d µs" % TTFT_LIMIT_US, {"stream": t["added_ttft_p50_us"]}, "+µs",
                t["added_ttft_p50_us"] <= TTFT_LIMIT_US, state, reference)
    s = next((s for s in streams if s["target"] == "switchyard"), None)
    if s:
        failed = s["failed"] + s["connect_errors"]
        moments = s.get("stall_moments") or []
        add("%d concurrent streams for %.0f s" % (s["streams"], s["duration_s"]), STALL_TARGET,
            {"stalls": s["stalls"], "failed": failed, "longest gap (ms)": round(s["max_gap_ms"])}, "",
            s["stalls"] == 0 and failed == 0,
            reference=("most at %d s (%d): %s" % (moments[0]["at_s"], moments[0]["stalls"], moment_text(moments[0]))) if moments else None)
        if s.get("hwm_kb"):
            add("RSS at %d streams" % s["streams"], "≤ %d MB" % RSS_STREAMS_LIMIT_MB, {"peak": s["hwm_kb"] / 1024}, "MB",
                s["hwm_kb"] / 1024 <= RSS_STREAMS_LIMIT_MB)
    idle = rss.get("switchyard")
    if idle:
        add("RSS idle", "≤ %d MB" % RSS_IDLE_LIMIT_MB, {"after start": idle["idle_rss_kb"] / 1024}, "MB",
            idle["idle_rss_kb"] / 1024 <= RSS_IDLE_LIMIT_MB)
    starts = coldstart.get("switchyard")
    if starts:
        add("cold start to the first 200", "≤ %d ms" % COLDSTART_LIMIT_MS, {"median": statistics.median(starts)}, "ms",
            statistics.median(starts) <= COLDSTART_LIMIT_MS)
    return verdicts


def verdict_lines(verdicts):
    """The verdicts as text, a line each."""
    if not verdicts:
        return []

    def value(x, unit):
        if unit == "+µs":
            return "%+.0f µs" % x
        if unit == "MB":
            return "%.1f MB" % x
        return ("%.0f %s" % (x, unit)).rstrip()

    lines = ["issue #10's targets, met %d of %d:" % (sum(v["met"] for v in verdicts), len(verdicts))]
    for v in verdicts:
        state = ", " + v["state"] if v["state"] else ""
        values = ", ".join("%s %s" % (k, value(x, v["unit"])) for k, x in v["values"].items())
        line = "  %-6s  %s (%s)%s: %s" % ("met" if v["met"] else "missed", v["target"], v["limit"], state, values)
        if v.get("reference"):
            line += "; %s" % v["reference"]
        lines.append(line)
    return lines


def cmd_targets(args):
    try:
        with open(args.results) as f:
            document = json.load(f)
    except (OSError, ValueError) as error:
        print("%s: not a results file of scripts/bench/run.sh (%s)" % (args.results, error), file=sys.stderr)
        sys.exit(1)
    if not isinstance(document, dict):
        print("%s: not a results file of scripts/bench/run.sh (no JSON object)" % args.results, file=sys.stderr)
        sys.exit(1)
    verdicts = target_verdicts(document.get("runs", []), document.get("ttft", []), document.get("streams", []),
                               document.get("rss", {}), document.get("coldstart_ms", {}))
    if not verdicts:
        print("%s: no measurements of the gateway to judge" % args.results, file=sys.stderr)
        sys.exit(1)
    print("\n".join(verdict_lines(verdicts)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("proc")
    p.add_argument("pid", type=int)
    p.set_defaults(func=cmd_proc)
    p = sub.add_parser("coldstart")
    p.add_argument("--trials", type=int, default=5)
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--path", default="/healthz")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_coldstart)
    p = sub.add_parser("ttft")
    p.add_argument("--url", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--requests", type=int, default=1000)
    p.add_argument("--max-seconds", type=float, default=20)
    p.set_defaults(func=cmd_ttft)
    p = sub.add_parser("meta")
    p.add_argument("fields", nargs="*")
    p.set_defaults(func=cmd_meta)
    p = sub.add_parser("report")
    p.add_argument("--rows", required=True)
    p.add_argument("--meta", required=True)
    p.add_argument("--json", required=True)
    p.add_argument("--micro")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("targets", help="the verdict on each of issue #10's targets for a results file")
    p.add_argument("results")
    p.set_defaults(func=cmd_targets)
    args = parser.parse_args()
    if getattr(args, "cmd", None) and args.cmd[0] == "--":
        args.cmd = args.cmd[1:]
    args.func(args)


if __name__ == "__main__":
    main()
