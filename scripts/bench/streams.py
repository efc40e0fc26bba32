#!/usr/bin/env python3
"""Many concurrent SSE streams through one endpoint, with stall detection (issue #10).

Opens STREAMS connections, each sending streamed chat completions back to back until DURATION
seconds have passed, and records the gap between consecutive reads of every stream. A stall is a
gap longer than the upstream's token interval plus --stall-ms. Prints one JSON object:
completed streams, failures, max/p99 gap, stalls, and chunks read.

So that a stall can be told apart from a pause of the machine, it also watches itself: a timer
every 20 ms measures how late this client's own event loop runs (`client_max_lag_ms`), and
`/proc/stat` gives the time the hypervisor took each CPU away (steal). For the seconds with the
most stalls, `stall_moments` gives the stalls ending in that second and, over it and the second
before, the client's worst lag and each CPU's steal: all streams stalling at once while the client
itself ran hundreds of milliseconds late points at the machine, not at the endpoint.

Standard library only (asyncio with raw sockets, HTTP/1.1, chunked transfer), bounded in time:
every connection stops at the deadline, and the whole run at DURATION + 30 s.
"""
import argparse
import asyncio
import collections
import json
import os
import sys
import time
from urllib.parse import urlparse


def steal_ticks():
    """Steal ticks per CPU (`cpu0`, `cpu1`, ...) from /proc/stat, or {} where it is not readable."""
    try:
        with open("/proc/stat") as stat:
            return {fields[0]: int(fields[8]) for fields in (line.split() for line in stat)
                    if fields and fields[0].startswith("cpu") and fields[0] != "cpu" and len(fields) > 8}
    except OSError:
        return {}


async def watch_machine(start, deadline, tick_s, lag_by_second, steal_by_second):
    """Until `deadline`: every `tick_s`, how late this event loop woke (the worst per second since
    `start`), and each CPU's steal ticks, by second."""
    previous = steal_ticks()
    while time.monotonic() < deadline:
        planned = time.monotonic() + tick_s
        await asyncio.sleep(tick_s)
        now = time.monotonic()
        second = int(now - start)
        lag_by_second[second] = max(lag_by_second[second], now - planned)
        current = steal_ticks()
        for cpu, ticks in current.items():
            steal_by_second[second][cpu] += ticks - previous.get(cpu, ticks)
        previous = current


def stall_moments(stall_seconds, lag_by_second, steal_by_second, ticks_per_second, count=5):
    """The `count` seconds with the most stalls ending in them, with the client's worst lag and
    each CPU's steal over that second and the one before (a gap ends up to a few hundred ms after
    it began)."""
    moments = []
    for second, stalls in sorted(stall_seconds.items(), key=lambda item: (-item[1], item[0]))[:count]:
        window = (second - 1, second)
        steal = collections.Counter()
        for each in window:
            steal.update(steal_by_second.get(each, {}))
        moments.append({
            "at_s": second, "stalls": stalls,
            "client_lag_ms": round(max(lag_by_second.get(each, 0.0) for each in window) * 1000, 1),
            "steal_ms": {cpu: round(ticks * 1000 / ticks_per_second) for cpu, ticks in sorted(steal.items())},
        })
    return moments


def percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * (len(ordered) - 1)))))
    return ordered[index]


async def one_connection(host, port, path, body, deadline, interval_s, stall_s, stats, start_gate):
    await start_gate.wait()
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as error:
        stats["connect_errors"] += 1
        stats["errors"].append(str(error))
        return
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Accept: text/event-stream\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    try:
        while time.monotonic() < deadline:
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            if b" 200 " not in status_line:
                stats["failed"] += 1
                stats["errors"].append(status_line.decode(errors="replace").strip())
                return
            chunked = False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"transfer-encoding:") and b"chunked" in line.lower():
                    chunked = True
            if not chunked:
                stats["failed"] += 1
                stats["errors"].append("response is not chunked")
                return
            last = time.monotonic()
            done = False
            while True:
                size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
                data = await reader.readexactly(size + 2)  # the chunk and its CRLF
                if size == 0:
                    break
                now = time.monotonic()
                gap = now - last
                last = now
                stats["chunks"] += 1
                stats["gaps"].append(gap)
                if gap > interval_s + stall_s:
                    stats["stalls"] += 1
                    stats["stall_seconds"][int(now - stats["start"])] += 1
                if b"data: [DONE]" in data:
                    done = True
            if not done:
                stats["failed"] += 1
                stats["errors"].append("stream ended without data: [DONE]")
                return
            stats["completed"] += 1
    except (OSError, asyncio.IncompleteReadError, ValueError) as error:
        stats["failed"] += 1
        stats["errors"].append(repr(error))
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="base URL, e.g. http://127.0.0.1:8080/v1")
    parser.add_argument("--model", required=True)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--interval-ms", type=float, required=True, help="the upstream's time between tokens")
    parser.add_argument("--stall-ms", type=float, default=100)
    parser.add_argument("--ramp-s", type=float, default=5, help="spread connection starts over this many seconds")
    args = parser.parse_args()
    url = urlparse(args.url)
    body = json.dumps({"model": args.model, "stream": True, "messages": [{"role": "user", "content": "Tell me a story."}]}).encode()
    start = time.monotonic()
    stats = {"completed": 0, "failed": 0, "connect_errors": 0, "stalls": 0, "chunks": 0, "gaps": [], "errors": [],
             "start": start, "stall_seconds": collections.Counter()}
    deadline = start + args.ramp_s + args.duration
    lag_by_second = collections.defaultdict(float)
    steal_by_second = collections.defaultdict(collections.Counter)
    steal_before = steal_ticks()
    watcher = asyncio.create_task(watch_machine(start, deadline, 0.02, lag_by_second, steal_by_second))
    gates = []
    tasks = []
    for index in range(args.streams):
        gate = asyncio.Event()
        gates.append(gate)
        tasks.append(asyncio.create_task(one_connection(
            url.hostname, url.port, url.path.rstrip("/") + "/chat/completions", body, deadline,
            args.interval_ms / 1000, args.stall_ms / 1000, stats, gate)))
    for index, gate in enumerate(gates):
        gate.set()
        if args.ramp_s > 0 and index % 50 == 49:
            await asyncio.sleep(args.ramp_s * 50 / args.streams)
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=args.ramp_s + args.duration + 30)
    except asyncio.TimeoutError:
        stats["errors"].append("the run did not end within its bound")
    watcher.cancel()
    try:
        await watcher
    except asyncio.CancelledError:
        pass
    ticks_per_second = os.sysconf("SC_CLK_TCK")
    steal_after = steal_ticks()
    gaps = stats.pop("gaps")
    errors = stats.pop("errors")
    stall_seconds = stats.pop("stall_seconds")
    del stats["start"]
    stats.update({
        "streams": args.streams, "duration_s": args.duration, "interval_ms": args.interval_ms, "stall_ms": args.stall_ms,
        "max_gap_ms": round(max(gaps, default=0) * 1000, 1), "p99_gap_ms": round(percentile(gaps, 0.99) * 1000, 1),
        "p50_gap_ms": round(percentile(gaps, 0.5) * 1000, 1), "errors_sample": errors[:5],
        "wall_s": round(time.monotonic() - start, 1),
        "client_max_lag_ms": round(max(lag_by_second.values(), default=0.0) * 1000, 1),
        "steal_ms": {cpu: round((steal_after[cpu] - steal_before.get(cpu, steal_after[cpu])) * 1000 / ticks_per_second)
                     for cpu in sorted(steal_after)},
        "stall_moments": stall_moments(stall_seconds, lag_by_second, steal_by_second, ticks_per_second),
    })
    print(json.dumps(stats))


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
