"""Servers and clients for the broker tests (Python 3 stdlib only).

Each server is started by the test in a directory of its own on
127.0.0.1 and stopped at the end; `need(binary)` skips the test (77) when
it is not installed. The clients speak just enough of each protocol to
read back what walhook wrote, independently of the libraries walhook
uses: RESP for Redis, the NATS text protocol and JetStream's JSON API for
NATS, and kcat (a librdkafka program of its own) for Kafka.
"""

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import harness


def need(*binaries):
    for b in binaries:
        if not shutil.which(b):
            print(f"SKIP: {b} is not installed (run scripts/setup)")
            sys.exit(harness.SKIP)


def need_sink(kind):
    """Skip when walhook was built without the sink."""
    probe = f"local ok, e = pcall(walhook.sink.{kind}, {{}}) " \
            "if not ok and e:find('built without') then os.exit(77) end"
    path = f"/tmp/walhook-probe-{os.getpid()}.lua"
    with open(path, "w") as f:
        f.write(probe)
    fixture = f"/tmp/walhook-probe-{os.getpid()}.jsonl"
    with open(fixture, "w") as f:
        f.write("")
    try:
        res = subprocess.run([os.environ["WALHOOK"], "--replay", fixture, path],
                             capture_output=True, timeout=30)
    finally:
        os.unlink(path)
        os.unlink(fixture)
    if res.returncode == harness.SKIP:
        print(f"SKIP: walhook was built without the {kind} sink")
        sys.exit(harness.SKIP)


def wait_port(port, timeout=15, what="a server"):
    def up():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False
    harness.wait_for(up, timeout, f"{what} to listen on port {port}", 0.05)


class Server:
    """A process started with argv, its output in DIR/log."""

    def __init__(self, name, dir, argv, port):
        self.name, self.dir, self.argv, self.port = name, dir, argv, port
        self.proc = None

    def start(self):
        self.log = open(os.path.join(self.dir, f"{self.name}.log"), "ab")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=self.dir)
        wait_port(self.port, what=self.name)
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        self.proc = None

    def restart(self):
        self.stop()
        return self.start()

    def log_tail(self):
        try:
            with open(os.path.join(self.dir, f"{self.name}.log"), errors="replace") as f:
                return "".join(f.readlines()[-20:])
        except OSError:
            return ""


# --- Redis --------------------------------------------------------------------

def redis_server(dir):
    need("redis-server")
    port = harness.free_port()
    return Server("redis", dir, [
        "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", dir,
        "--appendonly", "yes", "--appendfsync", "always", "--save", "",
        "--daemonize", "no", "--protected-mode", "no"], port).start()


class Redis:
    """A RESP client: call("XRANGE", "s", "-", "+")."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.f = self.sock.makefile("rb")

    def call(self, *args):
        out = [f"*{len(args)}\r\n".encode()]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            out.append(f"${len(b)}\r\n".encode() + b + b"\r\n")
        self.sock.sendall(b"".join(out))
        return self._read()

    def _read(self):
        line = self.f.readline()
        if not line:
            harness.fail("redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode("utf-8", "replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        harness.fail(f"redis sent {line!r}")

    def entries(self, stream):
        """[(id, {field: value})] of the whole stream."""
        out = []
        for eid, fields in self.call("XRANGE", stream, "-", "+") or []:
            out.append((eid, dict(zip(fields[::2], fields[1::2]))))
        return out

    def close(self):
        self.sock.close()


# --- NATS ---------------------------------------------------------------------

def nats_server(dir):
    need("nats-server")
    port = harness.free_port()
    store = os.path.join(dir, "jetstream")
    os.makedirs(store, exist_ok=True)
    return Server("nats", dir, ["nats-server", "-js", "-a", "127.0.0.1", "-p", str(port),
                                "-sd", store], port).start()


class Nats:
    """Requests over the NATS text protocol (with headers), for the
    JetStream API."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.f = self.sock.makefile("rb")
        self.f.readline()  # INFO
        self.sock.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":true,'
                          b'"no_responders":true,"protocol":1}\r\nPING\r\n')
        self._until_pong()
        self.sid = 0

    def _until_pong(self):
        while True:
            line = self.f.readline()
            if line.startswith(b"PONG"):
                return
            if line.startswith(b"-ERR"):
                harness.fail(f"nats: {line!r}")

    def request(self, subject, payload=b"", timeout=10):
        self.sid += 1
        inbox = f"_INBOX.walhook_test.{self.sid}"
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.sock.sendall(f"SUB {inbox} {self.sid}\r\nUNSUB {self.sid} 1\r\n"
                          f"PUB {subject} {inbox} {len(data)}\r\n".encode() + data + b"\r\n")
        self.sock.settimeout(timeout)
        while True:
            line = self.f.readline()
            if not line:
                harness.fail("nats closed the connection")
            if line.startswith(b"PING"):
                self.sock.sendall(b"PONG\r\n")
                continue
            parts = line.split()
            if parts[0] == b"MSG":
                n = int(parts[-1])
                body = self.f.read(n + 2)[:-2]
                return json.loads(body) if body else {}
            if parts[0] == b"HMSG":
                n = int(parts[-1])
                raw = self.f.read(n + 2)[:-2]
                hdr_len = int(parts[-2])
                if b"503" in raw[:hdr_len]:
                    harness.fail(f"no responders for {subject}")
                body = raw[hdr_len:]
                return json.loads(body) if body else {}
            if parts[0] == b"-ERR":
                harness.fail(f"nats: {line!r}")

    def create_stream(self, name, subjects, duplicate_window_s=120):
        r = self.request(f"$JS.API.STREAM.CREATE.{name}", {
            "name": name, "subjects": subjects, "storage": "file",
            "duplicate_window": int(duplicate_window_s * 1e9)})
        if "error" in r:
            harness.fail(f"creating stream {name}: {r['error']}")
        return r

    def stream_count(self, name):
        r = self.request(f"$JS.API.STREAM.INFO.{name}")
        if "error" in r:
            harness.fail(f"stream info {name}: {r['error']}")
        return r["state"]["messages"]

    def messages(self, name):
        """[(subject, headers dict, data bytes)] of the whole stream."""
        out = []
        for seq in range(1, self.stream_count(name) + 1):
            r = self.request(f"$JS.API.STREAM.MSG.GET.{name}", {"seq": seq})
            if "error" in r:
                harness.fail(f"message {seq} of {name}: {r['error']}")
            m = r["message"]
            headers = {}
            if m.get("hdrs"):
                text = base64.b64decode(m["hdrs"]).decode()
                for line in text.split("\r\n")[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip()] = v.strip()
            out.append((m["subject"], headers, base64.b64decode(m.get("data", ""))))
        return out

    def close(self):
        self.sock.close()


# --- Kafka (the mock cluster) --------------------------------------------------

class KafkaMock:
    """tests/brokers/kafka_mock: a 3-broker cluster in a process of its own."""

    def __init__(self):
        need("kcat")
        path = os.environ.get("KAFKA_MOCK")
        if not path or not os.access(path, os.X_OK):
            print("SKIP: no kafka_mock (librdkafka not found at build time)")
            sys.exit(harness.SKIP)
        self.proc = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "bootstrap":
            harness.fail(f"kafka_mock said {line!r}")
        self.bootstrap = line[1]

    def command(self, text):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if answer != "ok":
            harness.fail(f"kafka_mock {text!r}: {answer}")

    def consume(self, topic, extra=()):
        """Every message of topic as kcat -J gives it: dicts with key,
        payload, headers (a flat list), partition, offset."""
        res = subprocess.run(["kcat", "-C", "-b", self.bootstrap, "-t", topic, "-e", "-q",
                              "-J", *extra], capture_output=True, timeout=60)
        if res.returncode != 0:
            harness.fail(f"kcat on {topic}: {res.stderr.decode(errors='replace')}")
        return [json.loads(l) for l in res.stdout.decode().splitlines() if l.strip()]

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


# --- the workload and its checks ----------------------------------------------

KEYS = 5

EVENTS_SQL = """
CREATE TABLE ev (id int PRIMARY KEY, k int NOT NULL, seq int NOT NULL);
CREATE PUBLICATION pub FOR TABLE ev;
"""


def insert(i):
    """Transaction i: row i, key i % KEYS; every fifth transaction two rows."""
    if i % 5 == 0:
        return (f"BEGIN; INSERT INTO ev VALUES ({i}, {i % KEYS}, {i});"
                f" INSERT INTO ev VALUES ({100000 + i}, {i % KEYS}, {i}); COMMIT;")
    return f"INSERT INTO ev VALUES ({i}, {i % KEYS}, {i});"


def check_rows(t, got, what):
    """got: [(id, k, seq)] in the order the broker holds them for each key
    (all keys interleaved is fine). Every committed row must be there at
    least once, and per key the first sightings must come in commit order
    (seq, then id)."""
    committed = {(int(a), int(b), int(c))
                 for a, b, c in t.rows("SELECT id, k, seq FROM ev")}
    have = set(got)
    missing = committed - have
    t.check(not missing, f"{what}: {len(missing)} committed rows missing, e.g. "
                         f"{sorted(missing)[:5]}")
    extra = have - committed
    t.check(not extra, f"{what}: rows that were never committed: {sorted(extra)[:5]}")
    seen, last = set(), {}
    for row in got:
        if row in seen:
            continue
        seen.add(row)
        _, k, seq = row
        t.check(seq >= last.get(k, -1),
                f"{what}: key {k}: seq {seq} after {last.get(k)} (out of order)")
        last[k] = seq
    print(f"{what}: {len(got)} records, {len(committed)} rows, "
          f"{len(got) - len(seen)} duplicates")
    return len(got) - len(seen)


def new_walhook(t, slot, script, *args):
    return t.start("-S", slot, "--start", "--publication", "pub", *args, script=script)


def wait_caught_up(t, slot, proc, timeout=40):
    """The slot confirmed up to the WAL position now (the workload done)."""
    target = t.current_lsn()
    return harness.wait_slot_confirmed(t, slot, target, timeout, proc)


def wait_stderr(proc, text, timeout, what):
    harness.wait_for(lambda: text in proc.stderr or proc.proc.poll() is not None,
                     timeout, what)
    if text not in proc.stderr:
        harness.fail(f"{what}: walhook exited\n{proc.describe()}")
