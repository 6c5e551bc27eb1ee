#!/usr/bin/env python3
"""The metrics endpoint serves its clients at once, each within its own
time: a scrape is answered while idle and slow clients hold connections
(they have got nothing yet when it is answered), even when there are more
of them than the endpoint keeps; the idle ones are closed in the end. A
request head past 8 KB gets 431, a line that is not HTTP 400, another
method 405, all as proper answers (no reset); GET and HEAD of any path over
HTTP/1.0 or 1.1 get the metrics. walhook streams on through all of it."""

import socket
import urllib.request

import harness


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def nothing_yet(s):
    """True while the server has sent nothing and not closed s."""
    s.setblocking(False)
    try:
        s.recv(1)
    except BlockingIOError:
        return True
    except ConnectionResetError:
        return False
    finally:
        s.setblocking(True)
    return False  # data, or the end


def closed_by_server(s):
    s.setblocking(False)
    try:
        return s.recv(65536) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True
    finally:
        s.setblocking(True)


def exchange(port, request):
    """Sends request, returns everything the server answers until it
    closes (a reset fails the test)."""
    s = connect(port)
    try:
        s.sendall(request)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                harness.fail(f"the connection was reset after {len(out)} bytes of the answer "
                             f"to {request[:60]!r}")
            if not chunk:
                return out
            out += chunk
    finally:
        s.close()


def status(answer):
    return answer.split(b"\r\n", 1)[0].decode("latin-1")


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        return r.status, r.read().decode()


def main(t):
    t.psql("""
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE test_rep;
    """)
    slot = "wh_metrics_clients_slot"
    t.create_slot(slot)
    port = harness.free_port()
    wh = t.start("-S", slot, "--start", "--publication", "pub", "--metrics-port", str(port))

    def up():
        if wh.proc.poll() is not None:
            harness.fail("walhook exited\n" + wh.describe())
        try:
            return scrape(port)
        except OSError:
            return None
    harness.wait_for(up, 10, "the metrics endpoint", 0.1)

    # Idle clients (connected, sending nothing) and slow ones (half a
    # request line) do not hold up a scrape.
    idle = [connect(port) for _ in range(8)]
    slow = [connect(port) for _ in range(4)]
    for s in slow:
        s.sendall(b"GET /metr")
    code, body = scrape(port)
    t.eq(code, 200, "a scrape among idle clients")
    t.check(f'walhook_transactions_total{{slot="{slot}"}}' in body, f"the scrape's body:\n{body}")
    t.check(all(nothing_yet(s) for s in idle + slow),
            "an idle or slow client was answered or closed before the scrape was: "
            "clients are served one after the other")
    # The slow ones finish their requests and are answered.
    for s in slow:
        s.sendall(b"ics HTTP/1.1\r\nHost: x\r\n\r\n")
    for s in slow:
        s.settimeout(10)
        got = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        t.eq(status(got), "HTTP/1.1 200 OK", "a slow client's answer")
        s.close()
    print("a scrape among 8 idle and 4 slow clients: answered first")

    # More idle clients than the endpoint keeps: the newest, a scrape,
    # still gets through.
    crowd = [connect(port) for _ in range(40)]
    code, body = scrape(port)
    t.eq(code, 200, "a scrape behind 40 idle clients")
    # The oldest made room; the rest are closed once their time is up.
    harness.wait_for(lambda: all(closed_by_server(s) for s in idle + crowd), 30,
                     "the idle clients to be closed")
    for s in idle + crowd:
        s.close()
    print("a scrape behind 40 idle clients: answered; idle clients closed in time")

    # Oversized and bad requests: proper answers.
    big = b"GET / HTTP/1.1\r\nX-Filler: " + b"x" * 16384 + b"\r\n\r\n"
    t.eq(status(exchange(port, big)), "HTTP/1.1 431 Request Header Fields Too Large",
         "a 16 KB request head")
    for request, want in [
        (b"\x00\x01\x02garbage\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(32)) + b"\r\n\r\n",
         "HTTP/1.1 400 Bad Request"),
        (b"GET\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        (b"GET / HTTP/9\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        (b"GET  / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        (b"GET /\x1b[2J HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        (b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", "HTTP/1.1 405 Method Not Allowed"),
        (b"GET / HTTP/1.0\r\n\r\n", "HTTP/1.1 200 OK"),
        (b"GET /anything?x=1 HTTP/1.1\nHost: y\n\n", "HTTP/1.1 200 OK"),
    ]:
        t.eq(status(exchange(port, request)), want, f"the answer to {request[:40]!r}")
    head = exchange(port, b"HEAD / HTTP/1.1\r\n\r\n")
    t.eq(status(head), "HTTP/1.1 200 OK", "HEAD")
    t.check(head.endswith(b"\r\n\r\n"), f"HEAD answered with a body: {head[-80:]!r}")
    print("431, 400, 405 and 200 as they should be")

    # walhook streamed on.
    t.psql("INSERT INTO test_rep VALUES (1, 'after')")
    wh.wait_records(lambda r: any(x.get("new", {}).get("id") == 1 for x in r), 10,
                    "the row inserted after the bad clients")
    code, body = scrape(port)
    t.eq(code, 200, "a last scrape")
    t.eq(wh.stop(), 0, "exit status\n" + wh.describe())


harness.run("metrics_clients", main)
