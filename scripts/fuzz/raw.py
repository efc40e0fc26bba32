"""Malformed and unusual HTTP/1.x on raw sockets: bad lengths and chunking, garbage request
lines, oversized heads, HTTP/1.0, pipelining, HEAD, HTTP/2's preface. Each case names the status
it must get; errors must carry an error message in JSON, and the connection must not hang.

Usage: raw.py PORT"""
import socket
import sys

from common import Findings, answer_problem

PORT = int(sys.argv[1])
BODY = b'{"model":"demo-light","messages":[{"role":"user","content":"hi"}]}'
CHAT = b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"


def post(extra_headers=b"", body=BODY, length=True):
    return CHAT + extra_headers + (b"Content-Length: %d\r\n" % len(body) if length else b"") + b"\r\n" + body


# name: (bytes to send, the first answer's status, whether the server closes after the answers)
CASES = {
    "no length: the body is the next request": (post(length=False), 400, True),
    "Content-Length not a number": (CHAT + b"Content-Length: abc\r\n\r\n" + BODY, 400, True),
    "negative Content-Length": (CHAT + b"Content-Length: -5\r\n\r\n" + BODY, 400, True),
    "two Content-Lengths": (CHAT + b"Content-Length: 5\r\n" + post()[len(CHAT):], 400, True),
    "Content-Length over the limit": (CHAT + b"Content-Length: 99999999999999\r\n\r\n" + BODY, 413, False),
    "chunked": (CHAT + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % len(BODY) + BODY + b"\r\n0\r\n\r\n", 200, False),
    "bad chunk size": (CHAT + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n" + BODY + b"\r\n0\r\n\r\n", 400, True),
    "chunked and Content-Length": (CHAT + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n%x\r\n" % len(BODY) + BODY + b"\r\n0\r\n\r\n", 400, True),
    "garbage request line": (b"HELLO\r\n\r\n", 400, True),
    "HTTP/0.9": (b"GET /healthz\r\n\r\n", 400, True),
    "HTTP/1.0": (b"POST /v1/chat/completions HTTP/1.0\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY, 200, True),
    "header without a colon": (CHAT + b"Host x\r\n" + post()[len(CHAT):], 400, True),
    "a 200 KB header": (CHAT + b"X-Big: " + b"a" * 200000 + b"\r\n" + post()[len(CHAT):], 431, True),
    "5,000 headers": (CHAT + b"".join(b"X-%d: y\r\n" % i for i in range(5000)) + post()[len(CHAT):], 200, False),
    "a 100 KB URL": (b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 431, True),
    "HTTP/2 preface": (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, True),
    "a NUL in the path": (b"POST /v1/chat/\x00completions HTTP/1.1\r\nHost: x\r\n" + post()[len(CHAT):], 400, True),
    "unknown method on a route": (b"DELETE /v1/chat/completions HTTP/1.1\r\nHost: x\r\n\r\n", 404, False),
    "Expect: 100-continue": (post(b"Expect: 100-continue\r\n"), 200, False),
    "gzip-encoded body": (post(b"Content-Encoding: gzip\r\n"), 415, False),
    "a 20 MB body": (CHAT + b"Content-Length: 20000000\r\n\r\n{" + b" " * 1000, 413, False),
}


def exchange(data, half_close=False):
    """Sends `data`, then reads for up to 3 s of silence: (what came back, whether it closed)."""
    connection = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    try:
        try:
            connection.sendall(data)
        except OSError:
            pass  # the server may refuse before reading everything
        if half_close:
            connection.shutdown(socket.SHUT_WR)
        received, closed = b"", False
        connection.settimeout(3)
        try:
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    closed = True
                    break
                received += chunk
        except socket.timeout:
            pass
        except ConnectionResetError:
            closed = True
        return received, closed
    finally:
        connection.close()


def first_answer(received):
    """(status, body text) of the first answer, read by its Content-Length."""
    head, _, rest = received.partition(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    length = next((int(line.split(":", 1)[1]) for line in lines[1:] if line.lower().startswith("content-length:")), 0)
    return status, rest[:length].decode("utf-8", "replace")


findings = Findings()
for name, (data, expected, closes) in CASES.items():
    received, closed = exchange(data)
    if not received.startswith(b"HTTP/1.1 "):
        findings.add(name, "no answer: %r" % received[:200])
        continue
    status, text = first_answer(received)
    findings.count((name, status))
    if status != expected:
        findings.add(name, "status %d, expected %d: %s" % (status, expected, text[:200]))
    problem = answer_problem(status, text)
    if problem:
        findings.add(name, problem)
    if closes and not closed:
        findings.add(name, "the connection stayed open after a request that cannot be told from the next")

# HEAD: answered as GET, with the head alone, and the connection goes on.
received, _ = exchange(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
answers = received.split(b"HTTP/1.1 ")[1:]
findings.count(("HEAD then GET", len(answers)))
if len(answers) != 2 or not answers[0].startswith(b"200") or not answers[0].endswith(b"\r\n\r\n") or not answers[1].endswith(b'{"status":"ok"}'):
    findings.add("HEAD /healthz", "expected a 200 head alone, then the GET's answer: %r" % received[:400])

# A body shorter than declared, then the client stops sending.
received, _ = exchange(CHAT + b"Content-Length: 500\r\n\r\n" + BODY, half_close=True)
if not received.startswith(b"HTTP/1.1 400"):
    findings.add("body shorter than declared", "expected a 400: %r" % received[:200])
sys.exit(findings.report("raw HTTP"))
