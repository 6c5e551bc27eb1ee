#!/usr/bin/env python3
"""walhook.sink.http against a local receiver.

1. A flaky receiver (a connection reset, 503s, a 429 with Retry-After, an
   answer slower than the timeout): every committed row arrives at least
   once, in JSON-array bodies sent with the configured header, the
   connection is reused, and the slot is confirmed to the last
   transaction.
2. A receiver that answers 400 to everything, at a URL with user:password@:
   walhook sends one request (no retry), exits 1 naming the URL and the
   status with the start of the response, never shows the password, and
   the slot does not move past what was acknowledged before.
3. Nothing listening at a URL with user:password@ and retries = 2: three
   attempts, then exit 1 with the masked URL; the slot still stays."""

import base64
import http.server
import json
import socket
import struct
import threading
import time

import harness

SCRIPT = r'''
local http = walhook.sink.http{
  url = walhook.vars.url,
  headers = { ["X-Token"] = "t0k" },
  timeout = 2,
  retries = tonumber(walhook.vars.retries),
  batch_transactions = 3,
}

function handle_change(c)
  http:write(c)
  return false
end

-- Only so that the test knows the transactions' end positions.
function handle_commit(tx)
  print(walhook.json.encode({end_lsn = tx.end_lsn}))
  io.stdout:flush()
end
'''

SECRET = "s3cr3t-pw"
REFUSAL = "refused: " + "r" * 300  # longer than the 200 bytes quoted


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: walhook may reuse connections

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body, extra=()):
        data = body.encode()
        self.send_response(status)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        rx = self.server.receiver
        action = rx.arrived(self, body)
        if action == "ok":
            self.answer(200, "ok")
        elif action == "503":
            self.answer(503, "busy, try later")
        elif action == "429":
            self.answer(429, "slow down", [("Retry-After", "1")])
        elif action == "400":
            self.answer(400, REFUSAL)
        elif action == "reset":
            # Abort the connection without an answer: close with an RST.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
        elif action == "slow":
            time.sleep(3)  # past walhook's timeout of 2 s
            self.close_connection = True
            try:
                self.answer(200, "too late")
            except OSError:
                pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the aborted connections are on purpose


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread. plan(n) says what to do with
    the n-th request (from 1): ok, 503, 429, 400, reset, slow. Keeps every
    request (number, action, headers, connection) and the parsed body of
    each one answered ok."""

    def __init__(self, plan):
        self.plan = plan
        self.lock = threading.Lock()
        self.requests = []
        self.taken = []
        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.receiver = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def arrived(self, handler, body):
        with self.lock:
            n = len(self.requests) + 1
            action = self.plan(n)
            self.requests.append({
                "n": n, "action": action, "path": handler.path,
                "headers": {k.lower(): v for k, v in handler.headers.items()},
                "conn": handler.client_address, "body": body,
            })
            if action == "ok":
                self.taken.append(json.loads(body))
            return action

    def snapshot(self):
        with self.lock:
            return list(self.requests), list(self.taken)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def flaky(n):
    # A reset on a fresh connection fails the request; one on a reused
    # connection (11) libcurl itself may retry on a new one.
    return {1: "reset", 4: "429", 7: "slow", 11: "reset"}.get(
        n, "503" if n % 3 == 0 else "ok")


def end_lsns(proc):
    return [harness.parse_lsn(r["end_lsn"]) for r in proc.records()]


def main(t):
    t.psql("""
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE test_rep;
    """)
    slot = "wh_sink_http_slot"
    t.create_slot(slot)
    script = t.script("http.lua", SCRIPT)
    stream = ["-S", slot, "--start", "--publication", "pub"]

    # --- 1. a flaky receiver: everything arrives -------------------------
    # 30 transactions: ids 1..40, every third transaction with two rows.
    sql, ids, i = [], [], 1
    for k in range(30):
        rows = [i, i + 1] if k % 3 == 2 else [i]
        sql.append("INSERT INTO test_rep VALUES "
                   + ", ".join(f"({r}, 'row {r}')" for r in rows) + ";\n")
        ids += rows
        i += len(rows)
    t.psql("".join(sql))
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (1000, 'after the end')")

    rx = Receiver(flaky)
    try:
        wh = t.run(*stream, "-E", endpos, "--set", f"url=http://127.0.0.1:{rx.port}/ingest",
                   script=script, timeout=60)
    finally:
        rx.close()
    requests, taken = rx.snapshot()
    t.expect_exit(wh, 0)

    got = []
    for body in taken:
        t.check(isinstance(body, list) and body,
                f"a body that is not a non-empty JSON array: {body!r}")
        for c in body:
            t.check(c.get("op") == "insert" and c.get("table") == "test_rep",
                    f"a record that is not an insert into test_rep: {c!r}")
            got.append(c["new"]["id"])
    t.eq(sorted(set(got)), ids, "ids received (each at least once)")
    actions = [r["action"] for r in requests]
    for a in ("reset", "503", "429", "slow"):
        t.check(a in actions, f"the receiver never did {a}: {actions}\n" + wh.describe())
    t.check("retry" in wh.stderr, "no retry warning on stderr\n" + wh.describe())
    for r in requests:
        h = r["headers"]
        t.eq(r["path"], "/ingest", "request path")
        t.eq(h.get("x-token"), "t0k", f"X-Token of request {r['n']} (headers {h})")
        t.eq(h.get("content-type"), "application/json", f"Content-Type of request {r['n']}")
        t.check(h.get("user-agent", "").startswith("walhook/"),
                f"User-Agent of request {r['n']}: {h.get('user-agent')!r}")
    conns = {r["conn"] for r in requests}
    t.check(len(conns) < len(requests),
            f"{len(requests)} requests on {len(conns)} connections: none reused")
    print(f"{len(requests)} requests ({actions.count('ok')} taken) on {len(conns)} connections")

    ends = end_lsns(wh)
    t.eq(len(ends), 30, "transactions seen by handle_commit")
    acknowledged = t.confirmed(slot)
    harness.check_confirmed(acknowledged, ends[-1])

    # --- 2. a receiver that refuses: exit 1, the slot stays --------------
    t.psql("".join(f"INSERT INTO test_rep VALUES ({i}, 'row {i}');\n" for i in range(101, 111)))
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (1001, 'after the end')")
    rx = Receiver(lambda n: "400")
    url = f"http://walhook:{SECRET}@127.0.0.1:{rx.port}/ingest"
    try:
        wh = t.run(*stream, "-v", "-E", endpos, "--set", f"url={url}", script=script,
                   timeout=30)
    finally:
        rx.close()
    requests, taken = rx.snapshot()
    t.expect_exit(wh, 1)
    err = wh.stderr
    t.check(SECRET not in err, "the password shows on stderr\n" + wh.describe())
    t.check(f"http://***@127.0.0.1:{rx.port}/ingest" in err,
            "the error does not name the URL (masked)\n" + wh.describe())
    t.check("HTTP 400" in err, "the error does not give the status 400\n" + wh.describe())
    t.check("refused: rrr" in err and "r" * 201 not in err,
            "the error does not quote (only) the start of the response\n" + wh.describe())
    t.eq(len(requests), 1, "requests to a server that refuses (no retry)")
    auth = requests[0]["headers"].get("authorization", "")
    t.eq(auth, "Basic " + base64.b64encode(f"walhook:{SECRET}".encode()).decode(),
         "the URL's credentials as Basic authentication")
    first_new = end_lsns(wh)[0]
    confirmed = t.confirmed(slot)
    t.check(acknowledged <= confirmed < first_new,
            f"after the refusal the slot is at {harness.format_lsn(confirmed)}: expected "
            f"from {harness.format_lsn(acknowledged)} to before "
            f"{harness.format_lsn(first_new)}, the end of the first refused transaction")

    # --- 3. nothing listening: retries spent, exit 1, the slot stays -----
    url = f"http://walhook:{SECRET}@127.0.0.1:{harness.free_port()}/ingest"
    wh = t.run(*stream, "-v", "-E", endpos, "--set", f"url={url}", "--set", "retries=2",
               script=script, timeout=30)
    t.expect_exit(wh, 1)
    err = wh.stderr
    t.check(SECRET not in err, "the password shows on stderr\n" + wh.describe())
    t.check(url.replace(f"walhook:{SECRET}@", "***@") in err,
            "the error does not name the URL (masked)\n" + wh.describe())
    t.check("failed 3 times" in err and "retry 2 of 2" in err,
            "not three attempts (two retries)\n" + wh.describe())
    confirmed = t.confirmed(slot)
    t.check(acknowledged <= confirmed < first_new,
            f"after the failed run the slot is at {harness.format_lsn(confirmed)}: expected "
            f"before {harness.format_lsn(first_new)}")


harness.run("sink_http", main)
